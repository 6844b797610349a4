"""Input and output serializers of billing, one module per resource."""
