"""The three dZ2 rules as the screens name them (their charts: chart_kit.dZ2_rules; Errata's others: ui/chart_errata.py)."""

from locales.words import rule_title

# --- Errata screen -----------------------------------------------------------------------------
# Each rule's colour and bar pattern: RULE_STYLES in the palette (ui/figures/style.py).
RULE_FORMULAS = {"document": "2(A2 − y)", "mse": "J·2(A2 − y)", "cross-entropy": "A2 − y"}


def rule_legend(name: str) -> str:
    """A rule and its dZ2 in the language of the screen: "document's rule: 2(A2 − y)"."""
    return f"{rule_title(name)}: {RULE_FORMULAS[name]}"
