"""Coverage-guided fuzzing of both engines (see fuzz/README.md)."""
