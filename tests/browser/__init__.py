"""Browser tests of the built HTML book (run last in a session; see conftest.py)."""
