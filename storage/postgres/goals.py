"""Goals, their steps and comments, and the weekly goal review day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from storage.goals import Goal, GoalComment, GoalStep, GoalTerm
from storage.postgres.connection import Repository, Row
from storage.timestamps import from_db, maybe_from_db, maybe_from_db_date, to_db, to_db_date


class PostgresGoals(Repository):
    async def create_goal(
        self,
        person_id: int,
        *,
        title: str,
        term: GoalTerm,
        target_date: date | None,
        steps: Sequence[str],
        now: datetime,
    ) -> Goal:
        async with self._db.write() as db:
            inserted = await db.execute_fetchall(
                "INSERT INTO goals (person_id, title, term, target_date, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (
                    person_id,
                    self._db.seal(title),
                    term.value,
                    to_db_date(target_date) if target_date else None,
                    to_db(now),
                ),
            )
            goal_id: int = inserted[0]["id"]
            await db.executemany(
                "INSERT INTO goal_steps (goal_id, position, title) VALUES (?, ?, ?)",
                [(goal_id, n, self._db.seal(step)) for n, step in enumerate(steps, start=1)],
            )
        goal = await self.get_goal(goal_id)
        assert goal is not None
        return goal

    async def get_goal(self, goal_id: int) -> Goal | None:
        row = await self._db.fetchone("SELECT * FROM goals WHERE id = ?", (goal_id,))
        if row is None:
            return None
        steps = await self._steps_of([goal_id])
        return self._goal(row, steps.get(goal_id, ()))

    async def goals_of(self, person_id: int, *, include_closed: bool = False) -> list[Goal]:
        sql = "SELECT * FROM goals WHERE person_id = ?"
        if not include_closed:
            sql += " AND completed_at IS NULL AND set_aside_at IS NULL"
        rows = await self._db.fetchall(sql + " ORDER BY created_at, id", (person_id,))
        steps = await self._steps_of([row["id"] for row in rows])
        return [self._goal(row, steps.get(row["id"], ())) for row in rows]

    async def _steps_of(self, goal_ids: list[int]) -> dict[int, tuple[GoalStep, ...]]:
        if not goal_ids:
            return {}
        marks = ", ".join("?" for _ in goal_ids)
        rows = await self._db.fetchall(
            f"SELECT * FROM goal_steps WHERE goal_id IN ({marks}) ORDER BY goal_id, position",
            tuple(goal_ids),
        )
        found: dict[int, list[GoalStep]] = {}
        for row in rows:
            found.setdefault(row["goal_id"], []).append(
                GoalStep(
                    id=row["id"],
                    position=row["position"],
                    title=self._db.unseal(row["title"]),
                    done_at=maybe_from_db(row["done_at"]),
                )
            )
        return {goal_id: tuple(steps) for goal_id, steps in found.items()}

    async def set_step_done(self, goal_id: int, step_id: int, done: bool, now: datetime) -> Goal:
        stamp = to_db(now)
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE goal_steps SET done_at = CASE WHEN ? THEN COALESCE(done_at, ?) END"
                " WHERE id = ? AND goal_id = ?",
                (done, stamp, step_id, goal_id),
            )
            if changed != 1:
                raise KeyError(step_id)
            # Complete exactly when every step is ticked; keep the first completion time.
            await db.execute(
                "UPDATE goals SET completed_at = CASE"
                " WHEN NOT EXISTS (SELECT 1 FROM goal_steps WHERE goal_id = goals.id"
                "  AND done_at IS NULL) THEN COALESCE(completed_at, ?) END WHERE id = ?",
                (stamp, goal_id),
            )
        goal = await self.get_goal(goal_id)
        assert goal is not None
        return goal

    async def set_goal_done(self, goal_id: int, done: bool, now: datetime) -> Goal:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE goals SET completed_at = CASE WHEN ? THEN COALESCE(completed_at, ?) END"
                " WHERE id = ?",
                (done, to_db(now), goal_id),
            )
            if changed != 1:
                raise KeyError(goal_id)
        goal = await self.get_goal(goal_id)
        assert goal is not None
        return goal

    async def set_goal_aside(self, goal_id: int, now: datetime) -> bool:
        async with self._db.write() as db:
            changed = await db.execute(
                "UPDATE goals SET set_aside_at = ? WHERE id = ?"
                " AND completed_at IS NULL AND set_aside_at IS NULL",
                (to_db(now), goal_id),
            )
            return changed == 1

    async def add_goal_comment(
        self, goal_id: int, author_id: int | None, text: str, now: datetime
    ) -> GoalComment:
        async with self._db.write() as db:
            inserted = await db.execute_fetchall(
                "INSERT INTO goal_comments (goal_id, author_id, text, created_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (goal_id, author_id, self._db.seal(text), to_db(now)),
            )
            comment_id: int = inserted[0]["id"]
        return GoalComment(comment_id, goal_id, author_id, text, from_db(to_db(now)))

    async def comments_of(self, goal_id: int) -> list[GoalComment]:
        rows = await self._db.fetchall(
            "SELECT * FROM goal_comments WHERE goal_id = ? ORDER BY created_at, id", (goal_id,)
        )
        return [
            GoalComment(
                id=row["id"],
                goal_id=row["goal_id"],
                author_id=row["author_id"],
                text=self._db.unseal(row["text"]),
                created_at=from_db(row["created_at"]),
            )
            for row in rows
        ]

    async def goal_review_day(self, person_id: int) -> int | None:
        row = await self._db.fetchone(
            "SELECT weekday FROM goal_review_days WHERE person_id = ?", (person_id,)
        )
        return int(row["weekday"]) if row is not None else None

    async def set_goal_review_day(self, person_id: int, weekday: int | None, now: datetime) -> None:
        async with self._db.write() as db:
            if weekday is None:
                await db.execute("DELETE FROM goal_review_days WHERE person_id = ?", (person_id,))
                return
            await db.execute(
                "INSERT INTO goal_review_days (person_id, weekday, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (person_id) DO UPDATE SET weekday = excluded.weekday,"
                " updated_at = excluded.updated_at",
                (person_id, weekday, to_db(now)),
            )

    def _goal(self, row: Row, steps: tuple[GoalStep, ...]) -> Goal:
        return _goal_from(row, self._db.unseal(row["title"]), steps)


def _goal_from(row: Row, title: str, steps: tuple[GoalStep, ...]) -> Goal:
    return Goal(
        id=row["id"],
        person_id=row["person_id"],
        title=title,
        term=GoalTerm(row["term"]),
        created_at=from_db(row["created_at"]),
        target_date=maybe_from_db_date(row["target_date"]),
        completed_at=maybe_from_db(row["completed_at"]),
        set_aside_at=maybe_from_db(row["set_aside_at"]),
        steps=steps,
    )
