"""See the modules of this package, one per resource."""
