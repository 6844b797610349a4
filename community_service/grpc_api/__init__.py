"""The internal gRPC API's platform side: the contract (protos/, generated gen/), the call
interceptor (each calling service's credential, credentials.py; request id, deadlines,
errors mapped once), the server builder behind `manage.py grpcserver`, and conversions
shared by the servicers.

The servicers live with the apps whose services they call (content/grpc_api/,
members/grpc_api/) and are listed in settings.GRPC_SERVICES, as URLconfs are included by
dotted path: the platform layer never imports an app.
"""
