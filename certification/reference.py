"""The seven directions and five levels of the movement, present in every installation.

Used by a data migration and by the demo loader (browser tests flush the database between tests).
"""

DIRECTIONS = [
    ("first-aid", "Первая помощь", "Алғашқы көмек", "First aid"),
    ("blood-donation", "Донорство крови", "Қан донорлығы", "Blood donation"),
    (
        "palliative-care",
        "Хосписная и паллиативная помощь",
        "Хоспис және паллиативтік көмек",
        "Hospice and palliative care",
    ),
    (
        "health-education",
        "Санитарно-профилактическое просвещение",
        "Санитарлық-профилактикалық ағарту",
        "Health education",
    ),
    (
        "mass-events",
        "Медицинское сопровождение спортивных и массовых мероприятий",
        "Спорттық және бұқаралық іс-шараларды медициналық қамтамасыз ету",
        "Medical support of sports and mass events",
    ),
    (
        "hospital-help",
        "Помощь медицинскому персоналу в больницах",
        "Ауруханаларда медициналық персоналға көмек",
        "Help to medical staff in hospitals",
    ),
    (
        "career-guidance",
        "Профориентация школьников",
        "Оқушыларды кәсіптік бағдарлау",
        "Career guidance for pupils",
    ),
]

LEVELS = [
    ("newcomer", 1, "Новичок", "Жаңа келген", "Newcomer"),
    ("volunteer", 2, "Волонтёр", "Волонтер", "Volunteer"),
    ("senior-volunteer", 3, "Опытный волонтёр", "Тәжірибелі волонтер", "Senior volunteer"),
    ("coordinator", 4, "Координатор", "Үйлестіруші", "Coordinator"),
    ("instructor", 5, "Инструктор", "Нұсқаушы", "Instructor"),
]


def ensure_reference_data(Direction, Level):
    for order, (slug, ru, kk, en) in enumerate(DIRECTIONS, start=1):
        Direction.objects.update_or_create(
            slug=slug, defaults={"name_ru": ru, "name_kk": kk, "name_en": en, "sort_order": order}
        )
    for slug, rank, ru, kk, en in LEVELS:
        Level.objects.update_or_create(
            slug=slug, defaults={"rank": rank, "name_ru": ru, "name_kk": kk, "name_en": en}
        )


BRANCHES = [
    ("astana", True, "Астана (штаб)", "Астана (штаб)", "Astana (HQ)"),
    ("almaty", False, "Алматы", "Алматы", "Almaty"),
    ("shymkent", False, "Шымкент", "Шымкент", "Shymkent"),
    ("aktobe", False, "Актобе", "Ақтөбе", "Aktobe"),
    ("semey", False, "Семей", "Семей", "Semey"),
]

SKILLS = [
    (
        "cpr-manikin",
        "first-aid",
        "СЛР на манекене",
        "Манекенде жүрек-өкпе реанимациясы",
        "CPR on a manikin",
    ),
    (
        "bleeding-control",
        "first-aid",
        "Остановка кровотечения",
        "Қан кетуді тоқтату",
        "Bleeding control",
    ),
    (
        "recovery-position",
        "first-aid",
        "Устойчивое боковое положение",
        "Тұрақты бүйірлік қалып",
        "Recovery position",
    ),
    (
        "event-briefing",
        None,
        "Проведение инструктажа волонтёров",
        "Волонтерлерге нұсқаулық өткізу",
        "Briefing volunteers before an event",
    ),
    (
        "teaching-session",
        None,
        "Проведение учебного занятия",
        "Оқу сабағын өткізу",
        "Teaching a training session",
    ),
]

# What each level asks for, out of the box: staff change it in the admin. Courses are added by
# whoever creates them (the demo adds its first-aid course to "volunteer").
# slug: (months at previous level, approval, [(kind, hours, direction slug, skill slug)])
LEVEL_RULES = {
    "newcomer": (0, False, []),
    # Until staff name the newcomer course, a coordinator lets newcomers in: a badge employers
    # can verify is never issued for nothing.
    "volunteer": (0, True, []),
    "senior-volunteer": (
        3,
        False,
        [("hours", 20, None, None), ("skill", None, None, "cpr-manikin")],
    ),
    "coordinator": (
        6,
        True,
        [("hours", 60, None, None), ("skill", None, None, "event-briefing")],
    ),
    "instructor": (
        12,
        True,
        [
            ("hours", 100, None, None),
            ("hours", 30, "first-aid", None),
            ("skill", None, None, "teaching-session"),
        ],
    ),
}


def ensure_branches_and_skills(Branch, Skill, Direction):
    for order, (slug, is_hq, ru, kk, en) in enumerate(BRANCHES, start=1):
        Branch.objects.get_or_create(
            slug=slug,
            defaults={
                "is_headquarters": is_hq,
                "name_ru": ru,
                "name_kk": kk,
                "name_en": en,
                "sort_order": order,
            },
        )
    for slug, direction_slug, ru, kk, en in SKILLS:
        direction = (
            Direction.objects.filter(slug=direction_slug).first() if direction_slug else None
        )
        Skill.objects.get_or_create(
            slug=slug,
            defaults={"name_ru": ru, "name_kk": kk, "name_en": en, "direction": direction},
        )


def ensure_level_rules(Level, LevelRequirement, Direction, Skill):
    """Default requirements for levels that have none yet; edited levels are left alone."""
    for slug, (months, approval, requirements) in LEVEL_RULES.items():
        level = Level.objects.filter(slug=slug).first()
        if level is None or LevelRequirement.objects.filter(level=level).exists():
            continue
        Level.objects.filter(pk=level.pk).update(
            min_months_at_previous=months, requires_approval=approval
        )
        for order, (kind, hours, direction_slug, skill_slug) in enumerate(requirements):
            LevelRequirement.objects.create(
                level=level,
                sort_order=order,
                kind=kind,
                hours=hours,
                direction=Direction.objects.get(slug=direction_slug) if direction_slug else None,
                skill=Skill.objects.get(slug=skill_slug) if skill_slug else None,
            )
