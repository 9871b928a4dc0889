"""The STIX 2.1 object types, property by property, as the edge checker (validation.py) needs them.

Transcribed from the OASIS STIX 2.1 JSON schemas that stix2-validator 3.3.2 ships (schemas-2.1/schemas), so
that the fast checker refuses what the validator refuses. A type's properties are written as a spec string,
"name:kind ..." (a bare name is a string); KINDS says what each kind name stands for:

    ("str",) ("bool",) ("ts",) timestamp  ("tsms",) timestamp to the millisecond
    ("int", lo, hi) ("num", lo, hi)  (None = unbounded)   ("enum", {values})   ("re", regex)
    ("ref", allowed_types | None, refused_types)          ("list", item_kind)  (always non-empty)
    ("kcp",) kill-chain phase  ("extref",) external reference  ("granular",) granular marking
    ("hashes",) ("dict",) ("url",) ("hostname",) ("email",) ("ipv6",) ("language",) ("extensions",) ("any",)
"""


def ref(*allowed: str) -> tuple:
    return ("ref", frozenset(allowed), frozenset())


def ref_not(*refused: str) -> tuple:
    return ("ref", None, frozenset(refused))


SDO_NAMES = (
    "attack-pattern campaign course-of-action grouping identity incident indicator infrastructure intrusion-set "
    "location malware-analysis malware note observed-data opinion report threat-actor tool vulnerability"
).split()
_NOT_SRO_TARGET = ("relationship", "sighting", "bundle", "marking-definition", "language-content")
_ANY_REF = ("ref", None, frozenset())
KINDS = {
    "str": ("str",),
    "bool": ("bool",),
    "ts": ("ts",),
    "tsms": ("tsms",),
    "any": ("any",),
    "dict": ("dict",),
    "hashes": ("hashes",),
    "url": ("url",),
    "hostname": ("hostname",),
    "email": ("email",),
    "ipv6": ("ipv6",),
    "extensions": ("extensions",),
    "strs": ("list", ("str",)),
    "languages": ("list", ("language",)),
    "kcps": ("list", ("kcp",)),
    "extrefs": ("list", ("extref",)),
    "granulars": ("list", ("granular",)),
    "int": ("int", None, None),
    "uint": ("int", 0, None),
    "count": ("int", 0, 999999999),
    "positive": ("int", 1, 999999999),
    "port": ("int", 0, 65535),
    "confidence": ("int", 0, 100),
    "latitude": ("num", -90, 90),
    "longitude": ("num", -180, 180),
    "num": ("num", None, None),
    # References. The validator takes any identifier for created_by_ref and object_marking_refs and bare
    # strings for SCO references; we hold them to the types the specification names.
    "ref": _ANY_REF,
    "refs": ("list", _ANY_REF),
    "identity_ref": ref("identity"),
    "marking_refs": ("list", ref("marking-definition")),
    "software_ref": ref("software"),
    "software_refs": ("list", ref("software")),
    "sro_end": ref_not(*_NOT_SRO_TARGET),
    "observed_data_refs": ("list", ref("observed-data")),
    "where_sighted_refs": ("list", ref("identity", "location")),
    "observed_refs": ("list", ("ref", None, frozenset(SDO_NAMES))),
    "content_of": ref_not("bundle", "language-content"),
    "opinion": ("enum", frozenset({"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"})),
    "extension_types": (
        "list",
        ("enum", frozenset({"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"})),
    ),
    "encryption": ("enum", frozenset({"AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"})),
    "relationship_type": ("re", r"^[a-z0-9\-]+$"),
    "mime_type": ("re", r"^(application|audio|font|image|message|model|multipart|text|video)/[a-zA-Z0-9.+_-]+"),
    "base64": ("re", r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$"),
    "hex": ("re", r"^([a-fA-F0-9]{2})+$"),
    "path_enc": ("re", r"^[a-zA-Z0-9/\.+_:-]{2,250}$"),
    "mac": ("re", r"^([0-9a-f]{2}[:]){5}([0-9a-f]{2})$"),
    "ipv4": (
        "re",
        r"^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
        r"(\/(3[0-2]|[1-2][0-9]|[0-9]))?$",
    ),
}


def properties(spec: str) -> dict[str, tuple]:
    """ "name:kind other" -> {"name": KINDS["kind"], "other": KINDS["str"]}."""
    return {name: KINDS[kind or "str"] for name, _, kind in (word.partition(":") for word in spec.split())}


# Common to every SDO and SRO (core.json), and to every SCO (cyber-observable-core.json).
CORE = properties(
    "type spec_version id created_by_ref:identity_ref labels:strs created:tsms modified:tsms revoked:bool "
    "confidence:confidence lang external_references:extrefs object_marking_refs:marking_refs "
    "granular_markings:granulars extensions:extensions"
)
SCO_CORE = properties(
    "type spec_version id object_marking_refs:marking_refs granular_markings:granulars defanged:bool "
    "extensions:extensions"
)
# type -> (its own properties, the ones required besides the core's)
SDOS = {
    "attack-pattern": ("aliases:strs name description kill_chain_phases:kcps", "name"),
    "campaign": ("name description aliases:strs first_seen:ts last_seen:ts objective", "name"),
    "course-of-action": ("name description", "name"),
    "grouping": ("name description context object_refs:refs", "context object_refs"),
    "identity": ("roles:strs name description identity_class sectors:strs contact_information", "name"),
    "incident": ("name description", "name"),
    "indicator": (
        "indicator_types:strs name description pattern pattern_type pattern_version valid_from:ts valid_until:ts "
        "kill_chain_phases:kcps",
        "pattern pattern_type valid_from",
    ),
    "infrastructure": (
        "name description infrastructure_types:strs aliases:strs kill_chain_phases:kcps first_seen:ts last_seen:ts",
        "name",
    ),
    "intrusion-set": (
        "name description aliases:strs first_seen:ts last_seen:ts goals:strs resource_level primary_motivation "
        "secondary_motivations:strs",
        "name",
    ),
    "location": (
        "description name latitude:latitude longitude:longitude precision:num region country administrative_area "
        "city street_address postal_code",
        "",
    ),
    "malware-analysis": (
        "product version configuration_version modules:strs analysis_engine_version analysis_definition_version "
        "submitted:ts analysis_started:ts analysis_ended:ts result_name result host_vm_ref:software_ref "
        "operating_system_ref:software_ref installed_software_refs:software_refs analysis_sco_refs:refs sample_ref:ref",
        "product",
    ),
    "malware": (
        "aliases:strs first_seen:ts last_seen:ts operating_system_refs:software_refs architecture_execution_envs:strs "
        "implementation_languages:strs capabilities:strs sample_refs:strs malware_types:strs name description "
        "kill_chain_phases:kcps is_family:bool",
        "is_family",
    ),
    "note": ("abstract content authors:strs object_refs:refs", "content object_refs"),
    "observed-data": (
        "first_observed:ts last_observed:ts number_observed:positive objects:dict object_refs:observed_refs",
        "first_observed last_observed number_observed",
    ),
    "opinion": ("explanation authors:strs object_refs:refs opinion:opinion", "object_refs opinion"),
    "report": ("report_types:strs name description published:ts object_refs:refs", "name object_refs published"),
    "threat-actor": (
        "threat_actor_types:strs name description aliases:strs roles:strs goals:strs first_seen:ts last_seen:ts "
        "sophistication resource_level primary_motivation secondary_motivations:strs personal_motivations:strs",
        "name",
    ),
    "tool": ("aliases:strs tool_types:strs name description tool_version kill_chain_phases:kcps", "name"),
    "vulnerability": ("name description", "name"),
    "relationship": (
        "relationship_type:relationship_type description source_ref:sro_end target_ref:sro_end start_time:ts "
        "stop_time:ts",
        "relationship_type source_ref target_ref",
    ),
    "sighting": (
        "description first_seen:ts last_seen:ts count:count sighting_of_ref:sro_end "
        "observed_data_refs:observed_data_refs where_sighted_refs:where_sighted_refs summary:bool",
        "sighting_of_ref",
    ),
    "language-content": ("object_ref:content_of object_modified:ts contents:dict", "object_ref contents"),
    "extension-definition": (
        "name description schema version extension_types:extension_types extension_properties:strs",
        "name schema version extension_types",
    ),
}
SCOS = {
    "artifact": (
        "mime_type:mime_type payload_bin:base64 url:url hashes:hashes encryption_algorithm:encryption decryption_key",
        "",
    ),
    "autonomous-system": ("number:int name rir", "number"),
    "directory": ("path path_enc:path_enc ctime:ts mtime:ts atime:ts contains_refs:refs", "path"),
    "domain-name": ("value:hostname resolves_to_refs:refs", "value"),
    "email-addr": ("value:email display_name belongs_to_ref:ref", "value"),
    "file": (
        "hashes:hashes size:uint name name_enc:path_enc magic_number_hex:hex mime_type ctime:ts mtime:ts atime:ts "
        "parent_directory_ref:ref contains_refs:refs content_ref:ref",
        "",
    ),
    "ipv4-addr": ("value:ipv4 resolves_to_refs:refs belongs_to_refs:refs", "value"),
    "ipv6-addr": ("value:ipv6 resolves_to_refs:refs belongs_to_refs:refs", "value"),
    "mac-addr": ("value:mac", "value"),
    "mutex": ("name", "name"),
    "url": ("value:url", "value"),
    "software": ("name cpe swid languages:languages vendor version", "name"),
    # Rarely seen at the cell's edge: their many either-or rules are left to the properties named here.
    "email-message": ("date:ts from_ref:ref sender_ref:ref to_refs:refs", ""),
    "network-traffic": (
        "start:ts end:ts src_ref:ref dst_ref:ref src_port:port dst_port:port protocols:strs",
        "protocols",
    ),
    "process": ("pid:int created_time:ts is_hidden:bool", ""),
    "user-account": ("account_created:ts account_expires:ts", ""),
    "windows-registry-key": ("modified_time:ts number_of_subkeys:int", ""),
    "x509-certificate": ("validity_not_before:ts validity_not_after:ts hashes:hashes", ""),
}
# At least one property of each group must be present (the schemas' anyOf of "required").
ANY_OF = {
    "malware-analysis": ("result analysis_sco_refs",),
    "file": ("hashes name",),
    "network-traffic": ("src_ref dst_ref",),
    "process": (
        "extensions is_hidden pid name created cwd arguments command_line environment_variables "
        "opened_connection_refs creator_user_ref image_ref parent_ref child_refs",
    ),
    "user-account": (
        "extensions user_id credential account_login account_type display_name is_service_account is_privileged "
        "can_escalate_privs is_disabled account_created account_expires credential_last_changed "
        "account_first_login account_last_login",
    ),
    "windows-registry-key": ("key values modified creator_user_ref number_of_subkeys",),
    "x509-certificate": (
        "is_self_signed hashes version serial_number signature_algorithm issuer validity_not_before "
        "validity_not_after subject subject_public_key_algorithm subject_public_key_modulus "
        "subject_public_key_exponent x509_v3_extensions",
    ),
}
# (later, earlier, strictly): `later` must be >= (or >, when strictly) `earlier` - the validator's timestamp_compare.
TIME_ORDER = {
    "campaign": (("last_seen", "first_seen", False),),
    "indicator": (("valid_until", "valid_from", True),),
    "infrastructure": (("last_seen", "first_seen", False),),
    "intrusion-set": (("last_seen", "first_seen", False),),
    "malware": (("last_seen", "first_seen", False),),
    "observed-data": (("last_observed", "first_observed", False),),
    "relationship": (("stop_time", "start_time", True),),
    "sighting": (("last_seen", "first_seen", False),),
    "threat-actor": (("last_seen", "first_seen", False),),
    "network-traffic": (("end", "start", False),),
}
# definition_type, definition and extensions are checked together, in validation._marking_definition_problems.
MARKING_DEFINITION = properties(
    "type spec_version id name created_by_ref:identity_ref created:ts external_references:extrefs "
    "object_marking_refs:marking_refs granular_markings:granulars definition_type:any definition:any extensions:any"
)
# The four TLP 1.0 definitions the schema accepts with definition_type "tlp": id -> colour.
TLP1 = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
# SCO types whose id must be a version 4 UUID when none of these ID-contributing properties is present.
V4_UNLESS = {
    "artifact": ("hashes", "payload_bin"),
    "email-message": ("from_ref", "subject", "body"),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
}
# The predefined extensions of SCOs; without allow_custom any other must be named x-...-ext.
SCO_EXTENSIONS = {
    "file": ("archive-ext", "ntfs-ext", "pdf-ext", "raster-image-ext", "windows-pebinary-ext"),
    "network-traffic": ("http-request-ext", "icmp-ext", "socket-ext", "tcp-ext"),
    "process": ("windows-process-ext", "windows-service-ext"),
    "user-account": ("unix-account-ext",),
}
# Properties no STIX 2.1 object may carry (reserved by core.json), and type names reserved or taken by the
# validator's own helper schemas (a custom object of that name would be checked against them).
RESERVED_PROPERTIES = frozenset({"severity", "action", "username", "phone_numbers"})
RESERVED_TYPES = frozenset(
    "action bundle binary core cyber-observable-core dictionary extension external-reference granular-marking "
    "hashes-type hex identifier kill-chain-phase properties timestamp url-regex".split()
)
HASH_FORMATS = {
    "MD5": r"^[a-fA-F0-9]{32}$",
    "SHA-1": r"^[a-fA-F0-9]{40}$",
    "SHA-256": r"^[a-fA-F0-9]{64}$",
    "SHA-512": r"^[a-fA-F0-9]{128}$",
    "SHA3-256": r"^[a-fA-F0-9]{64}$",
    "SHA3-512": r"^[a-fA-F0-9]{128}$",
    "SSDEEP": r"^[a-zA-Z0-9/+:.]{1,128}$",
    "TLSH": r"^[a-zA-Z0-9]{70}$",
}
# The value regex of ipv6-addr, exactly as the schema has it (it is loose: 's*' and 'd' where \s and \d were meant).
IPV6_VALUE = (
    "^s*((([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:))|(([0-9A-Fa-f]{1,4}:){6}(:[0-9A-Fa-f]{1,4}|((25[0-5]"
    "|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3})|:))|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]"
    "{1,4}){1,2})|:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3})|:))|(([0-9A-Fa-f]{1"
    ",4}:){4}(((:[0-9A-Fa-f]{1,4}){1,3})|((:[0-9A-Fa-f]{1,4})?:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2"
    "[0-4]d|1dd|[1-9]?d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){1,4})|((:[0-9A-Fa-f]{1,4}"
    "){0,2}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){"
    "2}(((:[0-9A-Fa-f]{1,4}){1,5})|((:[0-9A-Fa-f]{1,4}){0,3}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0"
    "-4]d|1dd|[1-9]?d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){1,6})|((:[0-9A-Fa-f]{1,4}){"
    "0,4}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3}))|:))|(:(((:[0-9A-Fa-f]{1,4})"
    "{1,7})|((:[0-9A-Fa-f]{1,4}){0,5}:((25[0-5]|2[0-4]d|1dd|[1-9]?d)(.(25[0-5]|2[0-4]d|1dd|[1-9]?d)){3}))"
    "|:)))(%.+)?s*(\\/(12[0-8]|1[0-1][0-9]|[1-9][0-9]|[0-9]))?$"
)
# The RFC 5646 codes the validator accepts in `lang` (stix2validator.v21.enums.LANG_CODES).
LANG_CODES = frozenset(
    """
    af af-ZA ar ar-AE ar-BH ar-DZ ar-EG ar-IQ ar-JO ar-KW ar-LB ar-LY ar-MA ar-OM ar-QA ar-SA ar-SY ar-TN ar-YE az
    az-AZ az-Cyrl-AZ be be-BY bg bg-BG bs-BA ca ca-ES cs cs-CZ cy cy-GB da da-DK de de-AT de-CH de-DE de-LI de-LU dv
    dv-MV el el-GR en en-AU en-BZ en-CA en-CB en-GB en-IE en-JM en-NZ en-PH en-TT en-US en-ZA en-ZW eo es es-AR
    es-BO es-CL es-CO es-CR es-DO es-EC es-ES es-GT es-HN es-MX es-NI es-PA es-PE es-PR es-PY es-SV es-UY es-VE et
    et-EE eu eu-ES fa fa-IR fi fi-FI fo fo-FO fr fr-BE fr-CA fr-CH fr-FR fr-LU fr-MC gl gl-ES gu gu-IN he he-IL hi
    hi-IN hr hr-BA hr-HR hu hu-HU hy hy-AM id id-ID is is-IS it it-CH it-IT ja ja-JP ka ka-GE kk kk-KZ kn kn-IN ko
    ko-KR kok kok-IN ky ky-KG lt lt-LT lv lv-LV mi mi-NZ mk mk-MK mn mn-MN mr mr-IN ms ms-BN ms-MY mt mt-MT nb nb-NO
    nl nl-BE nl-NL nn-NO ns ns-ZA pa pa-IN pl pl-PL ps ps-AR pt pt-BR pt-PT qu qu-BO qu-EC qu-PE ro ro-RO ru ru-RU
    sa sa-IN se se-FI se-NO se-SE sk sk-SK sl sl-SI sq sq-AL sr-BA sr-Cyrl-BA sr-SP sr-Cyrl-SP sv sv-FI sv-SE sw
    sw-KE syr syr-SY ta ta-IN te te-IN th th-TH tl tl-PH tn tn-ZA tr tr-TR tt tt-RU ts uk uk-UA ur ur-PK uz uz-UZ
    uz-Cyrl-UZ vi vi-VN xh xh-ZA zh zh-CN zh-HK zh-MO zh-SG zh-TW zu zu-ZA
    """.split()
)
