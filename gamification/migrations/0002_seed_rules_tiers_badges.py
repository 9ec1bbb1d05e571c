"""Starting data the club manager edits later: earning rules for every action, four
tiers, and the rule badges."""

from django.db import migrations

RULES = [
    # action, points, daily cap (points), minimum account age (days), revoke on removal
    ("topic_posted", 10, 50, 0, True),
    ("comment_posted", 3, 30, 0, True),
    ("status_posted", 2, 10, 0, True),
    ("like_received", 1, 50, 0, True),
    ("article_published", 50, 0, 0, True),
    ("survey_completed", 20, 0, 0, False),
    ("contest_won", 100, 0, 0, False),
    ("photo_vote_received", 1, 50, 0, True),
    ("profile_completed", 50, 0, 0, False),
    ("friend_invited", 5, 25, 0, False),
    ("referral_signed_up", 30, 0, 0, False),
    ("referral_first_purchase", 100, 0, 0, False),
    ("shared", 2, 10, 0, False),
    ("support_renewed", 20, 0, 0, False),
]
TIERS = [
    # name, slug, threshold, cashback bp, referral bp, points per 1,000,000 rials, colour
    ("Bronze", "bronze", 0, 200, 50, 50, "#8c5a2b"),
    ("Silver", "silver", 1000, 500, 100, 100, "#6b7378"),
    ("Gold", "gold", 5000, 700, 150, 150, "#a07800"),
    ("VIP", "vip", 20000, 1000, 200, 200, "#5b2a86"),
]
BADGES = [
    ("first-purchase", "First purchase", "first_purchase", 1, None),
    ("commenter", "Ten comments", "comments", 10, None),
    ("liked", "Fifty likes received", "likes_received", 50, None),
    ("gold-member", "Gold member", "tier_reached", 1, "gold"),
    ("ambassador", "Three friends referred", "referrals", 3, None),
    ("regular", "Active four weeks in a row", "active_weeks", 4, None),
]


def seed(apps, schema_editor):
    EarningRule = apps.get_model("gamification", "EarningRule")
    Tier = apps.get_model("gamification", "Tier")
    Badge = apps.get_model("gamification", "Badge")
    for action, points, cap, age, revoke in RULES:
        EarningRule.objects.get_or_create(
            action=action,
            defaults={
                "points": points,
                "daily_cap": cap,
                "min_account_age_days": age,
                "revoke_on_removal": revoke,
            },
        )
    tiers = {}
    for name, slug, threshold, cashback, referral, ppm, colour in TIERS:
        tiers[slug], _ = Tier.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "threshold": threshold,
                "cashback_bp": cashback,
                "referral_bp": referral,
                "points_per_million": ppm,
                "colour": colour,
            },
        )
    for slug, name, rule, threshold, tier in BADGES:
        Badge.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "rule": rule,
                "threshold": threshold,
                "tier": tiers.get(tier),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
