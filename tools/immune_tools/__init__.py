"""Immune's tools, the parts more than one of them needs.

The entry scripts (tools/immune-heal.in, immune-campaign.in, ...) stay the
commands; what they share lives here, one module per schema or job, so each
schema has one reader that checks its version:

  manifest   the pass's manifests (*.immune.json, "immune_manifest": 1)

Installed next to the runtime (LIBDIR/immune/python); the scripts find it
relative to their own directory, the tests and eval/ through sys.path.
"""
