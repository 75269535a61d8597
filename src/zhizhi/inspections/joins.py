"""A visit joining another to the same firm (`assign --merge`, or a staffing draw's new visit taking over a stuck
one): its items and its photos (rows and files) go to the visit that stays, and it is marked merged into it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.inspections.files import PHOTOS_FOLDER, keep_unless_rolled_back, remove_once_committed
from zhizhi.store.tables import InspectionPhoto, InspectionVisit, VisitItem


def join(session: Session, actor: Actor, workspace: Workspace, old: InspectionVisit, new: InspectionVisit) -> None:
    """Move `old`'s items and photos to `new` and mark `old` merged into it (the photos' move audited)."""
    have = set(session.scalars(select(VisitItem.item_id).where(VisitItem.visit_id == new.id)))
    for item in session.scalars(select(VisitItem).where(VisitItem.visit_id == old.id)):
        if item.item_id not in have:
            session.add(VisitItem(visit_id=new.id, item_id=item.item_id, department_id=item.department_id))
        session.delete(item)
    old.status, old.merged_into = "merged", new.id
    _move_photos(session, actor, workspace, old, new)
    session.flush()


def _move_photos(
    session: Session, actor: Actor, workspace: Workspace, old: InspectionVisit, new: InspectionVisit
) -> None:
    """The photos of `old` become `new`'s (an item they show is `new`'s now): their files are copied into `new`'s
    folder with the transaction and left off `old`'s once it commits."""
    photos = session.scalars(select(InspectionPhoto).where(InspectionPhoto.visit_id == old.id)).all()
    if not photos:
        return
    source, target = workspace.data_dir / PHOTOS_FOLDER / old.number, workspace.data_dir / PHOTOS_FOLDER / new.number
    for name in sorted({p.file_name for p in photos}):
        # named by their SHA-256: one already there is the same photo, and stays if the transaction rolls back
        if (source / name).is_file() and not (target / name).exists():
            keep_unless_rolled_back(session, target / name, (source / name).read_bytes())
    remove_once_committed(session, [source / p.file_name for p in photos])
    for photo in photos:
        photo.visit_id = new.id
    audit.record(
        session,
        actor,
        "inspection_visit.photos_moved",
        object_type="inspection_visit",
        object_id=new.number,
        detail={"from": old.number, "photos": [p.id for p in photos]},
    )
