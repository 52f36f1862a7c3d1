"""Not a package for users: this file lets pytest import clients/python/tests as clients.python.tests."""
