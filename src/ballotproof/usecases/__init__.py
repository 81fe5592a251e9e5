"""The application layer: what anyone can do with an audit, whatever the front end.

The command line (``ballotproof audit …``) and the web workspace call these functions and only
these; they parse arguments or requests and render what comes back, and decide nothing. Each
use case reads its inputs through :mod:`ballotproof.io` (the same loaders and the same one-line
errors everywhere), asks :mod:`ballotproof.audit` (pure statistics) what follows, and keeps the
result through :mod:`ballotproof.store` (which only persists).

=======================  ==================================================================
module                   use cases
=======================  ==================================================================
``start``                check the inputs of a new audit (manifest, phantoms, cast vote
                         records, batch tallies) and start it: round 1 drawn
``record``               read a filled retrieval list or batch tally sheet, record it; a
                         round closes when its last ballot is read
``retrieval``            a round's retrieval list: where each ballot is, drawn before or not
``verify``               verify a stored audit or a published bundle (one pure verifier)
``bundle``               export the published bundle of an audit
``georgia``              the Georgia 2020 replay job (the demonstration's audit)
=======================  ==================================================================
"""
