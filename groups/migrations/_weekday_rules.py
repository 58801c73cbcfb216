"""The conversion of a group's weekday and start time into a weekly rule (migrations
0014 and 0015): two hours long, valid from today; one ending after midnight ends 23:59."""

import datetime

import django.utils.timezone

BATCH = 2000


def convert(apps, without_rules_only=False):
    Group = apps.get_model("groups", "Group")
    MeetingRule = apps.get_model("groups", "MeetingRule")
    today = django.utils.timezone.localdate()
    groups = Group.objects.filter(weekday__isnull=False, start_time__isnull=False)
    if without_rules_only:
        groups = groups.filter(meeting_rules__isnull=True)
    batch = []
    rows = groups.values_list("pk", "weekday", "start_time").order_by("pk")
    for pk, weekday, start in rows.iterator(chunk_size=BATCH):
        start_dt = datetime.datetime.combine(today, start)
        end_dt = start_dt + datetime.timedelta(hours=2)
        end = end_dt.time() if end_dt.date() == today else datetime.time(23, 59)
        if end <= start:
            continue
        batch.append(
            MeetingRule(
                group_id=pk,
                kind="weekly",
                weekday=weekday,
                start_time=start,
                end_time=end,
                starts_on=today,
            )
        )
        if len(batch) >= BATCH:
            MeetingRule.objects.bulk_create(batch)
            batch = []
    MeetingRule.objects.bulk_create(batch)
