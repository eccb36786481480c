"""What pages, deck, CLI and exports share: the display vocabulary (labels), wording, and the wiring from store
frames to engine results (one path for every number)."""
