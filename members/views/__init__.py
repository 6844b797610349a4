"""HTTP views of the members app, one module per resource."""
