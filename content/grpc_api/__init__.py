"""The gRPC servicers (listed in settings.GRPC_SERVICES).

Both services live here, at content's layer, because CommunityService.CheckPermission
answers post.create and comment.create with content's channel rules (overwrites,
announcement channels, mutes: content/access.py) on top of members' RBAC; a servicer in
members/ could not import them without breaking the layers (docs/architecture.md).
"""
