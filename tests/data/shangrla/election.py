"""A small three-contest election with card styles, shared by tests/audit/test_assertions.py
and make_vectors.py (which computes SHANGRLA's numbers for it).  Pure Python, no imports.

Contests: "Mayor" (plurality, vote for 1: A, B, C; A won), "Council" (vote for 2: P, Q, R, S;
P and Q won), "Measure" (supermajority 2/3: Yes, No; Yes won).  Card styles: cards 0–199 carry
Mayor and Measure, 200–299 Council, 300–399 Mayor and Council.  Each contest has 3 phantom
cards (cards = CVRs containing it + 3).
"""

MAYOR = ("A", "B", "C")
COUNCIL = ("P", "Q", "R", "S")
MEASURE = ("Yes", "No")
PHANTOMS = 3


def cvrs() -> list[dict[str, list[str]]]:
    """The 400 cards' CVRs, contest -> choices marked."""
    out: list[dict[str, list[str]]] = []
    for i in range(400):
        card: dict[str, list[str]] = {}
        if i < 200 or i >= 300:
            k = i % 10
            card["Mayor"] = ["A"] if k < 5 else ["B"] if k < 8 else ["C"] if k < 9 else []
        if i < 200:
            k = i % 20
            card["Measure"] = ["Yes"] if k < 15 else ["No"] if k < 19 else ["Yes", "No"]
        if i >= 200:
            k = i % 8
            card["Council"] = [
                ["P", "Q"],
                ["P", "R"],
                ["Q", "S"],
                ["P"],
                ["Q", "R"],
                ["P", "Q"],
                ["R", "S"],
                ["Q"],
            ][k]
        out.append(card)
    return out


def cards(name: str) -> int:
    """N_c: CVRs containing the contest plus the phantoms."""
    return sum(1 for c in cvrs() if name in c) + PHANTOMS


# Draws (indices into cvrs(), with replacement) and the readings that differ from the CVR:
# index of the draw -> reading of that card (None: not found).
DRAWS = [(37 * j + 11) % 400 for j in range(60)]
CHANGED: dict[int, dict[str, list[str]] | None] = {
    3: None,
    10: {"Mayor": ["B"], "Measure": ["Yes"]},
    17: {},
    25: {"Council": ["R", "S"]},
}
