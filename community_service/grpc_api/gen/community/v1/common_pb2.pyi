from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class UserRef(_message.Message):
    __slots__ = ("id", "username", "is_bot")
    ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    IS_BOT_FIELD_NUMBER: _ClassVar[int]
    id: str
    username: str
    is_bot: bool
    def __init__(self, id: _Optional[str] = ..., username: _Optional[str] = ..., is_bot: _Optional[bool] = ...) -> None: ...
