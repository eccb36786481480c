"""The leading-group meeting pack: an editable 16:9 PowerPoint deck built from the metrics engine's frames."""
from deck.build import DeckData, DeckOptions, Meeting, Slide, build_deck, plan_deck

__all__ = ["DeckData", "DeckOptions", "Meeting", "Slide", "build_deck", "plan_deck"]
