"""ONVIF event topics that change what the map knows about a camera, and how.

Only the ONVIF topic namespace (`tns1:` = http://www.onvif.org/ver10/topics) is read; vendor
topics (`tnsaxis:`, `tnshik:` …) and every other ONVIF topic yield nothing. Motion topics
(`RuleEngine/CellMotionDetector/Motion`, `VideoSource/MotionAlarm`) also yield nothing here:
they are video analytics, not camera state (a separate issue).
"""

from collections.abc import Mapping
from typing import Literal, NamedTuple

from rtcc.sources.base import AdapterError
from rtcc.sources.onvif.envelope import ONVIF_TOPICS, Notification

Status = Literal["online", "offline", "degraded"]
IMAGE_FAULTS = ("GlobalSceneChange/", "ImageTooBlurry/", "ImageTooDark/", "ImageTooBright/")
MOTION = ("RuleEngine/CellMotionDetector/Motion", "VideoSource/MotionAlarm")
# tt:RecordingJobState (Recording Control spec): Idle, Active, PartiallyActive, Error.
JOB_STATES: dict[str, tuple[bool, Status]] = {
    "idle": (False, "online"),
    "active": (True, "online"),
    "partiallyactive": (True, "degraded"),
    "error": (False, "degraded"),
}


class Change(NamedTuple):
    """What one notification says: a short tag for the event id, and the new state."""

    tag: str
    status: Status = "online"
    recording: bool | None = None
    heading: float | None = None


def xs_boolean(items: Mapping[str, str], names: tuple[str, ...]) -> bool:
    """The first of `names` present, as xs:boolean (True/False capitalised is tolerated)."""
    for name in names:
        if name in items:
            text = items[name].strip().lower()
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            raise AdapterError(f"tt:Data[{name}]", "bad_boolean", f"{items[name][:40]!r}")
    raise AdapterError(f"tt:Data[{names[0]}]", "missing", "the topic's state item is absent")


def change_of(note: Notification, presets: Mapping[str, float]) -> Change | None:
    """The camera-state change a notification carries, or None when it carries none."""
    path = note.topic
    if note.topic_ns != ONVIF_TOPICS or note.operation == "Deleted" or path in MOTION:
        return None
    data = note.data
    if path == "VideoSource/SignalLoss":
        return Change("signal", "offline" if xs_boolean(data, ("State",)) else "online")
    if path.startswith("VideoSource/") and path.removeprefix("VideoSource/").startswith(
        IMAGE_FAULTS
    ):
        return Change("image", "degraded" if xs_boolean(data, ("State",)) else "online")
    if path.startswith("Device/HardwareFailure/"):
        failed = xs_boolean(data, ("Failed", "Critical", "State"))
        return Change("hw", "degraded" if failed else "online")
    if path == "RecordingHistory/Recording/State":
        return Change("rec", recording=xs_boolean(data, ("IsRecording",)))
    if path == "RecordingConfig/JobState":
        state = data.get("State")
        if state is None:
            raise AdapterError("tt:Data[State]", "missing", "a JobState without State")
        known = JOB_STATES.get(state.strip().lower())
        if known is None:
            raise AdapterError("tt:Data[State]", "unknown_value", f"job state {state[:40]!r}")
        return Change("job", known[1], recording=known[0])
    if path == "PTZController/PTZPresets/Reached":
        for key in (data.get("PresetToken"), data.get("PresetName")):
            if key is not None and key in presets:
                return Change("preset", heading=presets[key])
    return None
