"""HLS playlists of lesson videos, with each file's storage URL (signed on object storage)."""

import posixpath

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import VideoTranscode
from .transcoding import rewrite_playlist

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
PLAYLIST_SALT = "komek.courses.video-playlist"
# A lesson page's playlist address works this long: a learner may leave the page open for hours.
TOKEN_SECONDS = 12 * 3600


def playlist_token(*, media_id, user_id):
    """What the lesson page adds to a video's playlist address: this learner, this video. The
    page is shown only to who may see the lesson, so the address carries that permission."""
    return signing.dumps({"m": media_id, "u": user_id}, salt=PLAYLIST_SALT, compress=True)


def token_allows(token, *, media_id, user_id):
    try:
        value = signing.loads(token or "", salt=PLAYLIST_SALT, max_age=TOKEN_SECONDS)
    except signing.BadSignature:
        return False
    return isinstance(value, dict) and value.get("m") == media_id and value.get("u") == user_id


def read_text(name):
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read().decode()
    except FileNotFoundError as exc:
        raise Http404 from exc


@require_GET
@login_required
def playlist(request, media_id, rendition):
    """The master playlist ("master") or one rendition's, for the learner whose lesson page gave
    the address (its token); anyone else, or an old address, is not found."""
    token = request.GET.get("t", "")
    if not token_allows(token, media_id=media_id, user_id=request.user.pk):
        raise Http404
    transcode = get_object_or_404(VideoTranscode, media_id=media_id, status="ready")
    if rendition == "master":
        text = read_text(transcode.master_playlist)
        names = {posixpath.dirname(r["playlist"]).rsplit("/", 1)[-1] for r in transcode.renditions}

        def url_for(address):
            name = address.split("/", 1)[0]
            if name not in names:
                raise Http404
            return f"{reverse('video_playlist', args=[media_id, name])}?t={token}"

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
