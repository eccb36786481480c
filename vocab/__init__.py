"""The bottom of the house: the vocabulary every layer shares — Chinese labels, status palette, number formats,
the one missing-value test (`labels`), user text made safe (`text`), who is acting (`accounts`) and as-of periods
(`periods`). Imports nothing of ours, so metrics/, store/, views/ and pages may all import it."""
