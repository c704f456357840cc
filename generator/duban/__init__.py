"""duban — supervision and follow-up (督查督办) kept as YAML data in git."""

__version__ = "0.1.0"
