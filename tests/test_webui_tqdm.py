"""Gradio's track_tqdm (the upload and remove events) patches tqdm's close to read `self._progress`; a bar made
before the patch (the index build's, at start-up) lacks it, and when it was garbage-collected later its __del__
logged a traceback in the server's log (tests/test_api_server.py saw it on a clean clone). webui.page gives every
bar that attribute."""
from __future__ import annotations


def test_a_bar_made_before_gradio_patches_tqdm_closes_cleanly():
    import tqdm
    from gradio.helpers import patch_tqdm

    import webui.page  # noqa: F401  (gives tqdm's class the attribute the patched close reads)

    originals = {name: getattr(tqdm.tqdm, name) for name in ("__init__", "update", "close", "__exit__", "__iter__")}
    try:
        # a bar as the start-up build leaves it: made by tqdm's own __init__, before gradio's patch
        bar = tqdm.tqdm.__new__(tqdm.tqdm)
        getattr(tqdm.tqdm, "__init__orig__", tqdm.tqdm.__init__)(bar, range(3), disable=True)
        assert "_progress" not in vars(bar)
        patch_tqdm()
        bar.close()  # what __del__ calls: raised AttributeError ('_progress') before
    finally:
        for name, method in originals.items():
            setattr(tqdm.tqdm, name, method)
