"""The rules of the local SI DMP, one module per concern; the data they read is in specs/dmp/."""
