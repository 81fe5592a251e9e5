"""Election night: a stream of partial returns, outstanding-vote estimates, race calls, the
Electoral College probability, and a backtest against the decision desks. Pure: no I/O."""
