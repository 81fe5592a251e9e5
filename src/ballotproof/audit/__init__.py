"""Risk-limiting audits: the pure statistics (one method per module) and the sampler.

Nothing here touches files, the database or the clock; the audit process and its store live at
the edges and call into these modules.
"""
