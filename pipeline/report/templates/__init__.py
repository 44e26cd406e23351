"""Jinja2 template, CSS and JS of report.html (a package so that setuptools ships them as package data)."""
