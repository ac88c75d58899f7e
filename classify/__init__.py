"""classify: tag news articles with topics and write extractive summaries, offline."""

__version__ = "0.2.0"
