"""Text as both sides read it: the one sentence segmenter, the one normaliser, headings."""
