"""Test doubles shipped with the package, so benchmarks and stress tests can use them too."""
