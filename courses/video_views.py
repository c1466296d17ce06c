"""HLS playlists of lesson videos, with each file's storage URL (signed on object storage)."""

import posixpath

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import VideoTranscode
from .transcoding import rewrite_playlist

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


def read_text(name):
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read().decode()
    except FileNotFoundError as exc:
        raise Http404 from exc


@require_GET
@login_required
def playlist(request, media_id, rendition):
    """The master playlist ("master") or one rendition's, for any signed-in learner or editor.

    Like the original upload's URL, which the same lesson page shows, it is not tied to a course.
    """
    transcode = get_object_or_404(VideoTranscode, media_id=media_id, status="ready")
    if rendition == "master":
        text = read_text(transcode.master_playlist)
        names = {posixpath.dirname(r["playlist"]).rsplit("/", 1)[-1] for r in transcode.renditions}

        def url_for(address):
            name = address.split("/", 1)[0]
            if name not in names:
                raise Http404
            return reverse("video_playlist", args=[media_id, name])

    else:
        chosen = next((r for r in transcode.renditions if r.get("name") == rendition), None)
        if chosen is None:
            raise Http404
        text = read_text(chosen["playlist"])
        folder = posixpath.dirname(chosen["playlist"])

        def url_for(address):
            if "/" in address or address.startswith("."):
                raise Http404
            return default_storage.url(f"{folder}/{address}")

    response = HttpResponse(rewrite_playlist(text, url_for), content_type=PLAYLIST_TYPE)
    # Signed storage URLs live for hours; a playlist kept for minutes never outlives them.
    response["Cache-Control"] = "private, max-age=300"
    return response
