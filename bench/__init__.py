"""Benchmarks of wechaty-puppet-web against the sandbox, each beside the bare-protocol floor.

Run ``python -m bench`` (all) or ``python -m bench latency burst`` (some); see ``bench/README.md``.
"""
