"""zhizhi (智治): a data hub for a municipal market-regulation bureau."""

__version__ = "0.1.0"
