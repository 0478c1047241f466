"""Credit scoring: the model spec, the reference evaluator, explanations and metrics (pure Python).

See creditcore/scoring/spec.py for the definition of every aggregate and docs/scoring-model.md
for the default model.
"""
