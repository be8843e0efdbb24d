"""`patronage serve` freezes what lives as long as the process once a service has started
(patronage/eventloop.py), so full collections stop walking it."""

from __future__ import annotations


def test_startup_objects_are_frozen_out_of_the_collectors_walks():
    import gc

    from patronage.eventloop import freeze_startup_objects

    try:
        assert freeze_startup_objects() > 1000  # every module and model alive in this process
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
