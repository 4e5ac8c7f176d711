"""The store of private cameras: registrations, grants, clip references, the access log."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from rtcc.governance.camera_grants import (
    CameraAccess,
    CameraGrant,
    FootageSegment,
    PrivateCamera,
    SharingMode,
)


class PrivateCameraStore(Protocol):
    """Residents' cameras, the grants that reach them, their footage and the owners' log."""

    def add_camera(self, camera: PrivateCamera, token_hash: str) -> None: ...

    def camera(self, camera_id: str) -> PrivateCamera | None: ...

    def camera_by_token(self, token_hash: str) -> PrivateCamera | None: ...

    def list_cameras(self) -> list[PrivateCamera]: ...

    def set_sharing(self, camera_id: str, sharing: SharingMode) -> None: ...

    def withdraw(self, camera_id: str, at: datetime) -> None: ...

    def add_grant(self, grant: CameraGrant) -> None: ...

    def grants(self, camera_id: str) -> list[CameraGrant]:
        """Newest first."""
        ...

    def add_segments(self, segments: Sequence[FootageSegment]) -> int:
        """Store segment references, skipping known ones; how many were new."""
        ...

    def segments(self, camera_id: str, since: datetime, until: datetime) -> list[FootageSegment]:
        """Segments overlapping [since, until], oldest first."""
        ...

    def log_access(self, entry: CameraAccess) -> None: ...

    def access_log(self, camera_id: str, limit: int = 1000) -> list[CameraAccess]:
        """Newest first."""
        ...
