//! Legacy token import and export: the gdata-python-client blob vectors both ways, round
//! trips, and malformed blobs as clear errors.

mod blobs;
