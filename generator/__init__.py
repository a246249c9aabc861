"""Publish budget performance-target disclosures (绩效目标申报表) from YAML."""

__version__ = "0.1.0"
