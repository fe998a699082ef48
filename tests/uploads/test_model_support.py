"""The model tests' view of the gallery must never be torn by an upload that lands while it is read."""

from __future__ import annotations

from .model_support import World, read_gallery, sha256


def test_a_photo_landing_in_a_new_album_while_the_gallery_is_read_is_never_seen_in_the_root(server):
    """The watcher model's check reads the gallery while late files may still be landing (its ``landed``
    loop waits for them). A photo sent into a new album between the read of the album list and the read
    of the event's photos used to be counted in the root: "P1 is in album (root), not one of its folders'
    ['One']" (seen once under ``-n 2``). The photos are read first now, so a photo is either not there yet
    (the check looks again) or seen in its album."""
    world = World(server, "gallery-read-")
    try:
        client = world.client()
        photo = world.fresh_content()
        path = world.scratch / "IMG_0001.jpg"
        path.write_bytes(photo)
        landed = False
        real_list = client.album_get_list

        async def list_then_upload(event_id, *args, **kwargs):
            nonlocal landed
            albums = await real_list(event_id, *args, **kwargs)
            if not landed:  # the watcher's upload lands right after this read
                landed = True
                album = await client.album_create(event_id, "One")
                await client.photo_upload(event_id, path, album_id=album.id)
            return albums

        client.album_get_list = list_then_upload
        try:
            torn = world.run(read_gallery(server, client, world.event_id))
            again = world.run(read_gallery(server, client, world.event_id))
        finally:
            del client.album_get_list
        assert landed
        for gallery in (torn, again):
            for row in gallery.photos.values():
                assert row.sha == sha256(photo)
                assert gallery.path_of(row.album).startswith("One#"), gallery.describe()
        assert len(again.photos) == 1
    finally:
        world.close()
