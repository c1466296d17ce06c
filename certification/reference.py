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
