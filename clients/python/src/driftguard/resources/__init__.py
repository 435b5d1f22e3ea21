"""The API's resources, one module each; :class:`driftguard.Client` holds one of each."""
