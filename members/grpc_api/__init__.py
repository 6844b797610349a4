"""gRPC support that belongs to members: who is calling, and what they may see."""
