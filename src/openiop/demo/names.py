"""Word pools for synthetic people and places. Every surname and street is made up, so nobody
mistakes a demo record for a real person's."""

from __future__ import annotations

# Given names that are common and mostly gender-neutral, so pronouns never look odd.
FIRST_NAMES = (
    "Alex", "Avery", "Bailey", "Blake", "Cameron", "Casey", "Charlie", "Dakota", "Dana",
    "Devon", "Drew", "Eden", "Ellis", "Emerson", "Finley", "Frankie", "Gray", "Harper",
    "Hayden", "Jamie", "Jesse", "Jordan", "Jules", "Kai", "Kendall", "Lane", "Logan",
    "Marley", "Morgan", "Noel", "Oakley", "Parker", "Peyton", "Quinn", "Reese", "Remy",
    "Riley", "River", "Robin", "Rowan", "Sage", "Sam", "Shawn", "Skyler", "Spencer",
    "Sydney", "Taylor", "Tatum",
)  # fmt: skip

PATIENT_SURNAMES = (
    "Quillfeather", "Marrowby", "Thistledown", "Bramblecote", "Fernwhistle", "Oakhollow",
    "Puddingstone", "Larkwhistle", "Mossgrove", "Ashbury-Vale", "Cobblethwaite", "Dimbleford",
    "Emberstone", "Foxmantle", "Gildersleeve", "Hazelbrook", "Inkwhistle", "Juniperlow",
    "Kettleburn", "Lanternfell", "Mapleshade", "Nettlefold", "Orchardine", "Pebblewick",
    "Quarrington", "Rushmantle", "Saltbriar", "Tansyworth", "Umberfield", "Velvetmoss",
    "Willowmere", "Yarrowdale", "Zephyrine", "Acornfield", "Brackenbury", "Cinderhollow",
    "Dewberry-Lane", "Elderwick", "Flintmoor", "Goosefeather", "Heathercombe", "Ivybridge-Lark",
    "Jasperwood", "Kindlemoor", "Lichenfield", "Mistlewood", "Nimbleford", "Owlthorpe",
    "Pipersmoke", "Ravenbloom",
)  # fmt: skip

STAFF_SURNAMES = (
    "Amberlight", "Birchwhistle", "Copperfold", "Driftmoor", "Everbright", "Fallowmere",
    "Glimmerton", "Hollyhock", "Ironwood-Sage", "Jadebrook", "Kestrelby", "Lumenfield",
    "Moonwhistle", "Northbrook-Fay", "Opalcrest", "Pinecroft", "Quicksilverton", "Rosethorn",
    "Starling-Vey", "Thornbury-Wick", "Underhill-Rae", "Vantablue", "Wintergreen-Oak",
)  # fmt: skip

STREETS = (
    "Tidewater Promenade", "Juniper Switchback", "Meadowlark Lane", "Gullwing Terrace",
    "Sagebrush Circle", "Poppyfield Way", "Driftwood Row", "Lupine Bend", "Kelp Forest Drive",
    "Manzanita Court", "Sandpiper Walk", "Toyon Ridge Road", "Quail Hollow Lane",
    "Seafoam Avenue", "Chaparral Loop", "Coyote Brush Street",
)  # fmt: skip

RELATIONSHIPS = ("spouse", "partner", "sister", "brother", "parent", "friend", "sponsor", "aunt")
