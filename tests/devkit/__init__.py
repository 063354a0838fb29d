"""Tests of the dev kit and the adapters that talk to its doubles over real HTTP."""
