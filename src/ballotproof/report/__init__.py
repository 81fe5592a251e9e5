"""Reports: the JSON documents behind ``--json`` and the self-contained HTML report."""
