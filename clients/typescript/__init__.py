"""Not part of the npm package: lets pytest import clients/typescript/tests (which drive the node tests)."""
