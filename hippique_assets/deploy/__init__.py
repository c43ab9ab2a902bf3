"""Production deployment: the roles of the one image and their health checks (plain code)."""
