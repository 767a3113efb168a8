"""Software-name normalisation: inventory names to CPE vendor/product/version."""

from __future__ import annotations

import pytest

from lachan.engine.cpe import parse_cpe
from lachan.engine.feeds import iter_records
from lachan.engine.software import (
    ALIAS_COLUMNS,
    AliasError,
    AliasRow,
    AliasTable,
    load_default_aliases,
    normalise,
    os_cpe,
    read_aliases,
    validate_row,
    write_aliases,
)
from lachan.engine.vulndata import SoftwareId

ROWS = load_default_aliases()
TABLE = AliasTable(ROWS)


def norm(product, version="", vendor="", cpe="", os=""):
    return normalise(vendor, product, version, cpe, aliases=TABLE, os=os)


# --------------------------------------------------------------------------- the issue's examples


def test_examples_of_the_issue():
    chrome = norm("Google Chrome", "120.0.6099.130", vendor="Google LLC")
    assert (chrome.vendor, chrome.product, chrome.version) == ("google", "chrome", "120.0.6099.130")
    assert (chrome.method, chrome.rule, chrome.part) == ("alias", "Google Chrome", "a")

    firefox = norm("Mozilla Firefox (x64 vi)", "121.0.1", vendor="Mozilla")
    assert (firefox.vendor, firefox.product, firefox.version) == ("mozilla", "firefox", "121.0.1")

    seven = norm("7-Zip 23.01 (x64)", "", vendor="Igor Pavlov")
    assert (seven.vendor, seven.product, seven.version) == ("7-zip", "7-zip", "23.01")

    exchange = norm(
        "Microsoft Exchange Server 2019 Cumulative Update 12", "15.2.1118.7", vendor="Microsoft"
    )
    assert (exchange.vendor, exchange.product) == ("microsoft", "exchange_server")
    assert (exchange.version, exchange.update) == ("2019", "cumulative_update_12")

    xampp = norm("XAMPP", "8.2.4-0", vendor="Apache Friends")
    assert (xampp.vendor, xampp.product, xampp.version) == ("apachefriends", "xampp", "8.2.4-0")
    assert xampp.distro == ""

    httpd = norm("Apache HTTP Server", "2.4.58", vendor="Apache Software Foundation")
    assert (httpd.vendor, httpd.product, httpd.method) == ("apache", "http_server", "alias")

    apache2 = norm("apache2", "2.4.52-1ubuntu4.6")
    assert (apache2.vendor, apache2.product, apache2.method) == ("apache", "http_server", "package")
    assert (apache2.version, apache2.distro) == ("2.4.52-1ubuntu4.6", "ubuntu")

    ssh = norm("openssh-server", "1:9.2p1-2+deb12u2")
    assert (ssh.vendor, ssh.product, ssh.method) == ("openbsd", "openssh", "package")
    assert (ssh.version, ssh.distro) == ("1:9.2p1-2+deb12u2", "debian")  # the full version

    php = norm("php8.1", "8.1.2-1ubuntu2.14")
    assert (php.vendor, php.product, php.method, php.distro) == ("php", "php", "package", "ubuntu")

    for product, cpe in (
        ("Moodle", ("moodle", "moodle")),
        ("WordPress", ("wordpress", "wordpress")),
        ("Joomla!", ("joomla", "joomla!")),
        ("phpMyAdmin", ("phpmyadmin", "phpmyadmin")),
    ):
        found = norm(product, "4.1.2")
        assert (found.vendor, found.product, found.method) == (*cpe, "alias")


def test_joomla_is_nvds_escaped_name():
    found = norm("Joomla", "5.0.2")
    assert parse_cpe("cpe:2.3:a:joomla:joomla\\!:5.0.2").product == found.product == "joomla!"


# --------------------------------------------------------------------------- every row

# (vendor, product, version, os) -> (vendor, product, version, rule, method, extras)
ROW_CASES = [
    (
        "Google LLC",
        "Google Chrome",
        "120.0.6099.130",
        "",
        "google",
        "chrome",
        "120.0.6099.130",
        "Google Chrome",
    ),
    (
        "",
        "Mozilla Firefox 115.6.0 ESR (x64 en-US)",
        "115.6.0",
        "",
        "mozilla",
        "firefox_esr",
        "115.6.0",
        "Mozilla Firefox ESR",
    ),
    (
        "Mozilla",
        "Firefox ESR",
        "128.5.1",
        "",
        "mozilla",
        "firefox_esr",
        "128.5.1",
        "Mozilla Firefox ESR",
    ),
    (
        "Mozilla Corporation",
        "Firefox",
        "121.0",
        "",
        "mozilla",
        "firefox",
        "121.0",
        "Mozilla Firefox",
    ),
    (
        "",
        "Mozilla Firefox 121.0 (x64 vi)",
        "",
        "",
        "mozilla",
        "firefox",
        "121.0",
        "Mozilla Firefox",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Edge",
        "120.0.2210.91",
        "",
        "microsoft",
        "edge_chromium",
        "120.0.2210.91",
        "Microsoft Edge",
    ),
    ("Igor Pavlov", "7-Zip 23.01 (x64)", "23.01", "", "7-zip", "7-zip", "23.01", "7-Zip"),
    ("win.rar GmbH", "WinRAR 6.24 (64-bit)", "6.24.0", "", "rarlab", "winrar", "6.24.0", "WinRAR"),
    (
        "Adobe",
        "Adobe Acrobat Reader DC - Vietnamese",
        "23.008.20470",
        "",
        "adobe",
        "acrobat_reader_dc",
        "23.008.20470",
        "Adobe Acrobat Reader",
    ),
    (
        "Adobe",
        "Adobe Acrobat (64-bit)",
        "24.002.20736",
        "",
        "adobe",
        "acrobat_dc",
        "24.002.20736",
        "Adobe Acrobat",
    ),
    (
        "Foxit Software Inc.",
        "Foxit PDF Reader",
        "2023.3.0.23028",
        "",
        "foxit",
        "pdf_reader",
        "2023.3.0.23028",
        "Foxit PDF Reader",
    ),
    (
        "Foxit Software Inc.",
        "Foxit Reader",
        "9.7.1.29511",
        "",
        "foxit",
        "pdf_reader",
        "9.7.1.29511",
        "Foxit PDF Reader",
    ),
    (
        "Microsoft Corporation",
        "Microsoft 365 Apps for enterprise - en-us",
        "16.0.17126.20132",
        "",
        "microsoft",
        "365_apps",
        "16.0.17126.20132",
        "Microsoft 365 Apps",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Office LTSC Professional Plus 2021 - vi-vn",
        "16.0.14332.20604",
        "",
        "microsoft",
        "office_long_term_servicing_channel",
        "2021",
        "Microsoft Office LTSC",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Office Professional Plus 2016",
        "16.0.4266.1001",
        "",
        "microsoft",
        "office",
        "2016",
        "Microsoft Office",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Word 2016",
        "16.0.4266.1001",
        "",
        "microsoft",
        "word",
        "2016",
        "Microsoft Word",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Excel 2013",
        "15.0.4569.1506",
        "",
        "microsoft",
        "excel",
        "2013",
        "Microsoft Excel",
    ),
    (
        "Microsoft Corporation",
        "Microsoft PowerPoint 2019",
        "",
        "",
        "microsoft",
        "powerpoint",
        "2019",
        "Microsoft PowerPoint",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Outlook 2016",
        "",
        "",
        "microsoft",
        "outlook",
        "2016",
        "Microsoft Outlook",
    ),
    (
        "Microsoft Corporation",
        "Microsoft Exchange Server 2016 CU23",
        "15.1.2507.6",
        "",
        "microsoft",
        "exchange_server",
        "2016",
        "Microsoft Exchange Server",
    ),
    (
        "Microsoft Corporation",
        "Microsoft SQL Server 2019 (64-bit)",
        "15.0.2000.5",
        "",
        "microsoft",
        "sql_server",
        "15.0.2000.5",
        "Microsoft SQL Server",
    ),
    (
        "Microsoft Corporation",
        "IIS 10.0",
        "10.0",
        "",
        "microsoft",
        "internet_information_services",
        "10.0",
        "Microsoft IIS",
    ),
    (
        "Oracle Corporation",
        "Java 8 Update 381",
        "8.0.3810.9",
        "",
        "oracle",
        "jre",
        "1.8.0_381",
        "Java 8 (Oracle JRE)",
    ),
    (
        "Oracle Corporation",
        "Java SE Development Kit 8 Update 202 (64-bit)",
        "8.0.2020.8",
        "",
        "oracle",
        "jdk",
        "1.8.0_202",
        "Java SE Development Kit 8",
    ),
    (
        "Oracle Corporation",
        "Java(TM) SE Development Kit 17.0.8 (64-bit)",
        "17.0.8.0",
        "",
        "oracle",
        "jdk",
        "17.0.8.0",
        "Java SE Development Kit",
    ),
    (
        "Oracle Corporation",
        "Java SE Runtime Environment 7",
        "",
        "",
        "oracle",
        "jre",
        "",
        "Java SE Runtime",
    ),
    (
        "Eclipse Adoptium",
        "Eclipse Temurin JDK with Hotspot 17.0.9+9 (x64)",
        "17.0.9.9",
        "",
        "oracle",
        "openjdk",
        "17.0.9.9",
        "OpenJDK builds",
    ),
    ("Apache Friends", "XAMPP", "8.2.12-0", "", "apachefriends", "xampp", "8.2.12-0", "XAMPP"),
    (
        "Apache Software Foundation",
        "Apache HTTP Server 2.4.58",
        "",
        "",
        "apache",
        "http_server",
        "2.4.58",
        "Apache HTTP Server",
    ),
    (
        "The Apache Software Foundation",
        "Apache Tomcat 9.0 Tomcat9",
        "9.0.83",
        "",
        "apache",
        "tomcat",
        "9.0.83",
        "Apache Tomcat",
    ),
    ("", "nginx", "1.24.0", "Windows Server 2019 Standard", "f5", "nginx", "1.24.0", "nginx"),
    ("The PHP Group", "PHP", "8.2.13", "", "php", "php", "8.2.13", "PHP"),
    (
        "Oracle Corporation",
        "MySQL Server 8.0",
        "8.0.35",
        "",
        "oracle",
        "mysql_server",
        "8.0.35",
        "MySQL Server",
    ),
    (
        "MariaDB Corporation Ab",
        "MariaDB 10.11 (x64)",
        "10.11.6.0",
        "",
        "mariadb",
        "mariadb",
        "10.11.6.0",
        "MariaDB",
    ),
    (
        "PostgreSQL Global Development Group",
        "PostgreSQL 15 ",
        "15.5-1",
        "",
        "postgresql",
        "postgresql",
        "15.5-1",
        "PostgreSQL",
    ),
    (
        "OpenSSL Win64 Installer Team",
        "OpenSSL 3.1.4 Light (64-bit)",
        "3.1.4",
        "",
        "openssl",
        "openssl",
        "3.1.4",
        "OpenSSL",
    ),
    ("Microsoft Corporation", "OpenSSH", "9.5.0.0", "", "openbsd", "openssh", "9.5.0.0", "OpenSSH"),
    (
        "Zoom Video Communications, Inc.",
        "Zoom Workplace (64-bit)",
        "6.0.11",
        "",
        "zoom",
        "workplace_desktop",
        "6.0.11",
        "Zoom",
    ),
    (
        "TeamViewer",
        "TeamViewer Host",
        "15.48.5",
        "",
        "teamviewer",
        "teamviewer",
        "15.48.5",
        "TeamViewer",
    ),
    (
        "AnyDesk Software GmbH",
        "AnyDesk",
        "ad 8.0.6",
        "",
        "anydesk",
        "anydesk",
        "ad 8.0.6",
        "AnyDesk",
    ),
    (
        "DucFabulous",
        "UltraViewer version 6.6.50",
        "6.6.50",
        "",
        "ultraviewer",
        "ultraviewer",
        "6.6.50",
        "UltraViewer",
    ),
    (
        "VideoLAN",
        "VLC media player",
        "3.0.20",
        "",
        "videolan",
        "vlc_media_player",
        "3.0.20",
        "VLC media player",
    ),
    (
        "Notepad++ Team",
        "Notepad++ (64-bit x64)",
        "8.6.2",
        "",
        "notepad-plus-plus",
        "notepad++",
        "8.6.2",
        "Notepad++",
    ),
    (
        "Tim Kosse",
        "FileZilla 3.66.4",
        "3.66.4",
        "",
        "filezilla-project",
        "filezilla_client",
        "3.66.4",
        "FileZilla Client",
    ),
    (
        "FileZilla Project",
        "FileZilla Server",
        "1.8.0",
        "",
        "filezilla-project",
        "filezilla_server",
        "1.8.0",
        "FileZilla Server",
    ),
    (
        "Fortinet Technologies Inc",
        "FortiClient VPN",
        "7.2.3.0929",
        "",
        "fortinet",
        "forticlient",
        "7.2.3.0929",
        "FortiClient",
    ),
    (
        "Fortinet",
        "FortiClient EMS 7.2.2",
        "",
        "",
        "fortinet",
        "forticlient_enterprise_management_server",
        "7.2.2",
        "FortiClient EMS",
    ),
    ("Fortinet", "FortiGate 60F", "7.2.5", "", "fortinet", "fortios", "7.2.5", "FortiOS"),
    (
        "Cisco",
        "Cisco ASA 5506-X",
        "9.16.4",
        "",
        "cisco",
        "adaptive_security_appliance_software",
        "9.16.4",
        "Cisco ASA",
    ),
    ("", "MikroTik RouterOS", "7.12.1", "", "mikrotik", "routeros", "7.12.1", "MikroTik RouterOS"),
    ("", "Moodle LMS", "4.1.7", "", "moodle", "moodle", "4.1.7", "Moodle"),
    ("", "WordPress", "6.4.2", "", "wordpress", "wordpress", "6.4.2", "WordPress"),
    ("Open Source Matters", "Joomla! CMS", "4.4.1", "", "joomla", "joomla!", "4.4.1", "Joomla!"),
    ("", "phpMyAdmin", "5.2.1", "", "phpmyadmin", "phpmyadmin", "5.2.1", "phpMyAdmin"),
    ("", "Drupal core", "10.1.6", "", "drupal", "drupal", "10.1.6", "Drupal"),
    (
        "",
        "apache2-bin",
        "2.4.57-2",
        "Debian GNU/Linux 12 (bookworm)",
        "apache",
        "http_server",
        "2.4.57-2",
        "Apache HTTP Server (Debian package)",
    ),
    (
        "",
        "openssh-client",
        "1:8.9p1-3ubuntu0.6",
        "",
        "openbsd",
        "openssh",
        "1:8.9p1-3ubuntu0.6",
        "OpenSSH (Debian package)",
    ),
    (
        "",
        "php8.2-fpm",
        "8.2.7-1~deb12u1",
        "",
        "php",
        "php",
        "8.2.7-1~deb12u1",
        "PHP (Debian package)",
    ),
    (
        "",
        "php7.4",
        "7.4.33-1+deb11u4",
        "",
        "php",
        "php",
        "7.4.33-1+deb11u4",
        "PHP (Debian package)",
    ),
    (
        "",
        "nginx-core",
        "1.18.0-6ubuntu14.4",
        "",
        "f5",
        "nginx",
        "1.18.0-6ubuntu14.4",
        "nginx (Debian package)",
    ),
    (
        "",
        "mariadb-server",
        "1:10.11.4-1~deb12u1",
        "",
        "mariadb",
        "mariadb",
        "1:10.11.4-1~deb12u1",
        "MariaDB (Debian package)",
    ),
    (
        "",
        "mysql-server-8.0",
        "8.0.35-0ubuntu0.22.04.1",
        "",
        "oracle",
        "mysql_server",
        "8.0.35-0ubuntu0.22.04.1",
        "MySQL (Debian package)",
    ),
    (
        "",
        "postgresql-15",
        "15.5-0+deb12u1",
        "",
        "postgresql",
        "postgresql",
        "15.5-0+deb12u1",
        "PostgreSQL (Debian package)",
    ),
    (
        "",
        "libssl3:amd64",
        "3.0.2-0ubuntu1.12",
        "",
        "openssl",
        "openssl",
        "3.0.2-0ubuntu1.12",
        "OpenSSL (Debian package)",
    ),
    (
        "",
        "openssl",
        "3.0.11-1~deb12u2",
        "",
        "openssl",
        "openssl",
        "3.0.11-1~deb12u2",
        "OpenSSL (Debian package)",
    ),
    (
        "",
        "bind9",
        "1:9.18.19-1~deb12u1",
        "",
        "isc",
        "bind",
        "1:9.18.19-1~deb12u1",
        "BIND (Debian package)",
    ),
    (
        "",
        "samba",
        "2:4.17.12+dfsg-0+deb12u1",
        "",
        "samba",
        "samba",
        "2:4.17.12+dfsg-0+deb12u1",
        "Samba (Debian package)",
    ),
    (
        "",
        "sudo",
        "1.9.9-1ubuntu2.4",
        "",
        "sudo_project",
        "sudo",
        "1.9.9-1ubuntu2.4",
        "sudo (Debian package)",
    ),
    (
        "",
        "linux-image-5.15.0-91-generic",
        "5.15.0-91.101",
        "Ubuntu 22.04.3 LTS",
        "linux",
        "linux_kernel",
        "5.15.0-91.101",
        "Linux kernel (Debian package)",
    ),
    (
        "",
        "exim4-daemon-light",
        "4.96-15+deb12u2",
        "",
        "exim",
        "exim",
        "4.96-15+deb12u2",
        "Exim (Debian package)",
    ),
    (
        "",
        "vsftpd",
        "3.0.5-0ubuntu1",
        "",
        "beasts",
        "vsftpd",
        "3.0.5-0ubuntu1",
        "vsftpd (Debian package)",
    ),
    (
        "",
        "proftpd-core",
        "1.3.8+dfsg-4+deb12u3",
        "",
        "proftpd",
        "proftpd",
        "1.3.8+dfsg-4+deb12u3",
        "ProFTPD (Debian package)",
    ),
    (
        "",
        "openjdk-17-jre-headless",
        "17.0.9+9-1~deb12u1",
        "",
        "oracle",
        "openjdk",
        "17.0.9+9-1~deb12u1",
        "OpenJDK (Debian package)",
    ),
    (
        "",
        "libcurl4",
        "7.81.0-1ubuntu1.15",
        "",
        "haxx",
        "curl",
        "7.81.0-1ubuntu1.15",
        "curl (Debian package)",
    ),
    (
        "",
        "tomcat9",
        "9.0.70-2",
        "Debian GNU/Linux 12",
        "apache",
        "tomcat",
        "9.0.70-2",
        "Apache Tomcat (Debian package)",
    ),
]


@pytest.mark.parametrize(
    ("vendor", "product", "version", "os", "cpe_vendor", "cpe_product", "cpe_version", "rule"),
    ROW_CASES,
    ids=[case[1] for case in ROW_CASES],
)
def test_each_row(vendor, product, version, os, cpe_vendor, cpe_product, cpe_version, rule):
    found = normalise(vendor, product, version, aliases=TABLE, os=os)
    assert (found.vendor, found.product, found.version) == (cpe_vendor, cpe_product, cpe_version)
    assert found.rule == rule
    row = next(r for r in ROWS if r.label == rule)
    assert found.method == ("package" if row.kind == "package" else "alias")
    assert found.part == row.part


OS_CASES = [
    ("Windows 10 Pro 22H2", "windows_10_22h2", "", "Windows 10 (release in the name)"),
    (
        "Microsoft Windows 10 Enterprise LTSC 2019 10.0.17763.5206",
        "windows_10_1809",
        "10.0.17763.5206",
        "Windows 10 build 17763",
    ),
    ("Windows 10 Pro 10.0.10240", "windows_10_1507", "10.0.10240", "Windows 10 build 10240"),
    (
        "Windows 10 Education 10.0.14393.6529",
        "windows_10_1607",
        "10.0.14393.6529",
        "Windows 10 build 14393",
    ),
    (
        "Windows 10 Pro 10.0.19041.1415",
        "windows_10_2004",
        "10.0.19041.1415",
        "Windows 10 build 19041",
    ),
    (
        "Windows 10 Pro 10.0.19042.1706",
        "windows_10_20h2",
        "10.0.19042.1706",
        "Windows 10 build 19042",
    ),
    (
        "Windows 10 Pro 10.0.19043.2364",
        "windows_10_21h1",
        "10.0.19043.2364",
        "Windows 10 build 19043",
    ),
    (
        "Windows 10 Pro 10.0.19044.3803",
        "windows_10_21h2",
        "10.0.19044.3803",
        "Windows 10 build 19044",
    ),
    (
        "Microsoft Windows 10 Pro 10.0.19045.3693",
        "windows_10_22h2",
        "10.0.19045.3693",
        "Windows 10 build 19045",
    ),
    ("Windows 10 Home", "windows_10", "", "Windows 10"),
    ("Windows 11 Pro 23H2", "windows_11_23h2", "", "Windows 11 (release in the name)"),
    (
        "Microsoft Windows 11 Pro 10.0.22000.2652",
        "windows_11_21h2",
        "10.0.22000.2652",
        "Windows 11 build 22000",
    ),
    (
        "Windows 11 Pro 10.0.22621.2861",
        "windows_11_22h2",
        "10.0.22621.2861",
        "Windows 11 build 22621",
    ),
    (
        "Windows 11 Home 10.0.22631.2861",
        "windows_11_23h2",
        "10.0.22631.2861",
        "Windows 11 build 22631",
    ),
    (
        "Windows 11 Pro 10.0.26100.1742",
        "windows_11_24h2",
        "10.0.26100.1742",
        "Windows 11 build 26100",
    ),
    ("Windows 11 Home Single Language", "windows_11", "", "Windows 11"),
    ("Windows Server 2025 Datacenter", "windows_server_2025", "", "Windows Server 2025"),
    (
        "Windows Server 2022 Datacenter 10.0.20348.2159",
        "windows_server_2022",
        "10.0.20348.2159",
        "Windows Server 2022",
    ),
    ("Windows Server 2019 Standard", "windows_server_2019", "", "Windows Server 2019"),
    ("Microsoft Windows Server 2016 Standard", "windows_server_2016", "", "Windows Server 2016"),
    (
        "Windows Server 2012 R2 Standard 6.3.9600",
        "windows_server_2012_r2",
        "6.3.9600",
        "Windows Server 2012 R2",
    ),
    ("Windows Server 2012 Datacenter", "windows_server_2012", "", "Windows Server 2012"),
    ("Windows Server 2008 R2 Enterprise", "windows_server_2008_r2", "", "Windows Server 2008 R2"),
    ("Windows 8.1 Pro", "windows_8.1", "", "Windows 8.1"),
]


@pytest.mark.parametrize(
    ("text", "product", "version", "rule"), OS_CASES, ids=[c[0] for c in OS_CASES]
)
def test_windows(text, product, version, rule):
    found = os_cpe(text)
    assert (found.vendor, found.product, found.version, found.part) == (
        "microsoft",
        product,
        version,
        "o",
    )
    assert (found.rule, found.method) == (rule, "alias")


@pytest.mark.parametrize(
    ("text", "cpe", "update", "rule"),
    [
        ("Ubuntu 22.04.3 LTS", ("canonical", "ubuntu_linux", "22.04"), "", "Ubuntu"),
        ("Ubuntu 20.04 LTS", ("canonical", "ubuntu_linux", "20.04"), "", "Ubuntu"),
        ("Debian GNU/Linux 12 (bookworm)", ("debian", "debian_linux", "12"), "", "Debian"),
        ("Debian 11.8", ("debian", "debian_linux", "11"), "", "Debian"),
        ("CentOS 7", ("centos", "centos", "7"), "", "CentOS"),
        ("CentOS Linux release 7.9.2009 (Core)", ("centos", "centos", "7"), "", "CentOS"),
        (
            "Red Hat Enterprise Linux 8.9 (Ootpa)",
            ("redhat", "enterprise_linux", "8.9"),
            "",
            "Red Hat Enterprise Linux",
        ),
        (
            "Windows 7 Professional Service Pack 1",
            ("microsoft", "windows_7", ""),
            "sp1",
            "Windows 7",
        ),
        ("Windows 7 Ultimate", ("microsoft", "windows_7", ""), "", "Windows 7"),
        ("FortiOS 7.2.5", ("fortinet", "fortios", "7.2.5"), "", "FortiOS"),
        ("MikroTik RouterOS 6.49.10", ("mikrotik", "routeros", "6.49.10"), "", "MikroTik RouterOS"),
        (
            "Cisco Adaptive Security Appliance 9.8(4)",
            ("cisco", "adaptive_security_appliance_software", "9.8(4)"),
            "",
            "Cisco ASA",
        ),
    ],
)
def test_other_operating_systems(text, cpe, update, rule):
    found = os_cpe(text)
    assert (found.vendor, found.product, found.version) == cpe
    assert (found.part, found.update, found.rule) == ("o", update, rule)


@pytest.mark.parametrize("text", ["", "   ", "FreeBSD 13.2", "macOS Sonoma 14.2", "Android 14"])
def test_unknown_operating_systems(text):
    assert os_cpe(text) is None


def test_every_default_row_is_exercised():
    used = {case[7] for case in ROW_CASES} | {case[3] for case in OS_CASES}
    used |= {"Ubuntu", "Debian", "CentOS", "Red Hat Enterprise Linux", "Windows 7"}
    assert {row.label for row in ROWS} == used


# --------------------------------------------------------------------------- methods and rules


def test_cpe_given_wins_and_keeps_the_entrys_version_when_it_has_none():
    found = norm("Whatever", "1.18.0", cpe="cpe:2.3:a:nginx:nginx:*:*:*:*:*:*:*:*")
    assert (found.vendor, found.product, found.version, found.method) == (
        "nginx",
        "nginx",
        "1.18.0",
        "cpe",
    )
    assert found.also == (("f5", "nginx"), ("f5", "nginx_open_source"))  # from the table
    exchange = norm(
        "", "15.2.1118.7", cpe="cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12"
    )
    assert (exchange.version, exchange.update) == ("2019", "cumulative_update_12")
    legacy = norm("", "", cpe="cpe:/o:microsoft:windows_10:1607")
    assert (legacy.part, legacy.product, legacy.version) == ("o", "windows_10", "1607")
    distro = norm("", "2.4.52-1ubuntu4.6", cpe="cpe:2.3:a:apache:http_server:*")
    assert distro.distro == "ubuntu" and distro.version == "2.4.52-1ubuntu4.6"


def test_bad_cpe_falls_back_to_the_names_and_says_so():
    found = norm("Google Chrome", "120.0", cpe="cpe:2.3:x:google:chrome")
    assert (found.vendor, found.product, found.method) == ("google", "chrome", "alias")
    assert found.rule.startswith("Google Chrome; CPE ignored")
    unknown = norm("Phần mềm quản lý trường học", "1.0", cpe="not a cpe")
    assert unknown.method == "unmapped" and "CPE ignored" in unknown.rule


def test_exact_cpe_names():
    found = norm("http_server", "2.4.49", vendor="apache")
    assert (found.vendor, found.product, found.method, found.rule) == (
        "apache",
        "http_server",
        "exact",
        "apache:http_server",
    )
    older = norm("nginx", "1.14.0", vendor="nginx")  # an also-name of the nginx rows
    assert (older.vendor, older.product, older.method) == ("nginx", "nginx", "exact")
    assert older.also == (("f5", "nginx"), ("f5", "nginx_open_source"))
    joomla = norm("Joomla\\!", "4.0", vendor="joomla")
    assert (joomla.product, joomla.method) == ("joomla!", "exact")
    firefox = norm("Firefox", "121.0", vendor="Mozilla")
    assert (firefox.product, firefox.method, firefox.rule) == (
        "firefox",
        "exact",
        "mozilla:firefox",
    )
    # a display name that merely normalises to a CPE name is the alias rule's
    vlc = norm("VLC media player", "3.0.20", vendor="VideoLAN")
    assert (vlc.product, vlc.method, vlc.rule) == ("vlc_media_player", "alias", "VLC media player")


@pytest.mark.parametrize(
    ("vendor", "product", "version"),
    [
        ("Acme", "Unknown Tool", "1.0"),
        ("", "Phần mềm kế toán MISA SME", "2023"),
        ("Google LLC", "Google Chrome Remote Desktop Host", "120.0"),  # not Chrome
        ("Microsoft Corporation", "Microsoft Edge WebView2 Runtime", "120.0"),
        ("Microsoft Corporation", "Microsoft Edge Update", "1.3.185.17"),
        ("", "7-Zip Helper", "1.0"),
        ("", "php-common", "2:92ubuntu1"),  # php-defaults, not php itself
        ("", "linux-image-generic", "5.15.0.91.88"),  # the metapackage
        ("", "default-mysql-server", "1.1.0"),
        ("Microsoft Corporation", "Microsoft SQL Server Management Studio - 19.2", "19.2"),
        ("Zoom", "Zoom Rooms", "5.16"),
        ("", "", ""),
    ],
)
def test_unmapped_stays_unmapped(vendor, product, version):
    found = normalise(vendor, product, version, aliases=TABLE)
    assert found.method == "unmapped"
    assert (found.vendor, found.product, found.version) == (vendor, product, version)
    assert found.also == () and found.update == ""


def test_package_needs_a_reason_to_be_a_package():
    # a Windows nginx with a plain version is the display name, not a Debian package
    windows = norm("nginx", "1.24.0")
    assert (windows.method, windows.rule, windows.distro) == ("alias", "nginx", "")
    # with a package revision, a Debian OS or a Debian vendor it is a package
    assert norm("nginx", "1.22.1-9").method == "package"
    assert norm("nginx", "1.22.1-9").distro == "debian"  # a revision without a mark: Debian
    on_ubuntu = norm("nginx", "1.18.0-6", os="Ubuntu 22.04.3 LTS")
    assert (on_ubuntu.method, on_ubuntu.distro) == ("package", "ubuntu")
    assert norm("nginx", "1.22.1", vendor="Debian").method == "package"
    assert norm("nginx", "1.22.1", vendor="Debian").distro == ""  # no revision, no distro
    # a package name no display row knows is still a package
    bare = norm("openssh-server", "9.2p1")
    assert (bare.method, bare.distro) == ("package", "")


def test_distro_of_a_display_name_comes_from_the_version_only():
    found = norm("Apache HTTP Server", "2.4.52-1ubuntu4.6")
    assert (found.method, found.distro, found.version) == ("alias", "ubuntu", "2.4.52-1ubuntu4.6")
    plain = norm("Apache HTTP Server", "2.4.58-1", os="Debian GNU/Linux 12")
    assert plain.distro == ""  # "-1" on a display name is no proof of a package


def test_vendor_and_product_together():
    found = norm("Firefox", "121.0", vendor="Mozilla Corporation")
    assert (found.product, found.rule) == ("firefox", "Mozilla Firefox")
    found = norm("Chrome", "120.0", vendor="Google")
    assert found.product == "chrome"


def test_also_names():
    assert norm("MySQL Server 8.0", "8.0.35").also == (("oracle", "mysql"), ("mysql", "mysql"))
    assert norm("Zoom", "5.17.11").also == (
        ("zoom", "zoom"),
        ("zoom", "meetings"),
        ("zoom", "workplace"),
    )
    assert norm("Google Chrome", "120.0").also == ()


# --------------------------------------------------------------------------- the table as data


def test_user_rows_first_win():
    mine = AliasRow(
        kind="display",
        pattern="Phần mềm quản lý trường học SMAS",
        cpe_vendor="viettel",
        cpe_product="smas",
        name="SMAS",
    )
    table = AliasTable([mine, *ROWS])
    found = normalise("Viettel", "Phần mềm quản lý trường học SMAS 3.2", "", aliases=table)
    assert (found.vendor, found.product, found.version, found.rule) == (
        "viettel",
        "smas",
        "3.2",
        "SMAS",
    )
    chrome = AliasRow(kind="display", pattern="Google Chrome", cpe_vendor="acme", cpe_product="x")
    found = normalise("", "Google Chrome", "1.0", aliases=AliasTable([chrome, *ROWS]))
    assert (found.vendor, found.rule) == ("acme", "Google Chrome")


def test_plain_patterns_match_whole_names_with_a_version_or_bracket_after():
    row = AliasRow(kind="display", pattern="Foo Bar|FooBar", cpe_vendor="foo", cpe_product="bar")
    table = AliasTable([row])
    for name in (
        "Foo Bar",
        "foo   bar",
        "FOO BAR 2.1",
        "Foo Bar (x64)",
        "Foo Bar - 3.0",
        "FooBar v2.0",
    ):
        assert normalise("", name, "", aliases=table).method == "alias", name
    for name in ("Foo Bar Baz", "Foo Barista", "The Foo Bar", "FooBar Helper"):
        assert normalise("", name, "", aliases=table).method == "unmapped", name


def test_rows_round_trip_through_csv():
    text = write_aliases(ROWS)
    assert text.splitlines()[0] == ",".join(ALIAS_COLUMNS)
    assert read_aliases(text) == ROWS
    minimal = read_aliases("kind,pattern,cpe_vendor,cpe_product\ndisplay,Foo,foo,foo\n")
    assert minimal == [AliasRow("display", "Foo", "foo", "foo")]


def test_default_table_size_and_kinds():
    kinds = {
        kind: sum(1 for r in ROWS if r.kind == kind)
        for kind in ("display", "webapp", "os", "package")
    }
    assert len(ROWS) == sum(kinds.values()) and len(ROWS) >= 90
    assert kinds["package"] >= 17 and kinds["webapp"] == 5
    assert len({r.label for r in ROWS}) == len(ROWS)  # each rule has its own name


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (AliasRow("program", "Foo", "foo", "foo"), "kind"),
        (AliasRow("display", "", "foo", "foo"), "pattern: empty"),
        (AliasRow("display", "^Foo(", "foo", "foo"), "not a regular expression"),
        (AliasRow("display", "Foo", "", "foo"), "both are needed"),
        (AliasRow("display", "Foo", "foo", "foo", part="x"), "part"),
        (AliasRow("display", "^Foo", "foo", "foo_{release}"), "{release}"),
        (AliasRow("display", "Foo", "foo", "foo", version_pattern="(\\d+"), "version_pattern"),
        (AliasRow("display", "Foo", "foo", "foo", version_source="both"), "version_source"),
        (AliasRow("display", "Foo", "foo", "foo", version_format="{major}.{minor}"), "{major}"),
        (AliasRow("display", "Foo", "foo", "foo", also="nginx"), "also"),
    ],
)
def test_bad_rows_are_refused(row, problem):
    problems = validate_row(row)
    assert any(problem in p for p in problems), problems
    with pytest.raises(AliasError) as err:
        AliasTable([ROWS[0], row])
    assert err.value.row == 2
    text = write_aliases([ROWS[0], row])
    with pytest.raises(AliasError) as err:
        read_aliases(text)
    assert err.value.row == 3  # the CSV line


def test_read_aliases_needs_its_columns():
    with pytest.raises(AliasError, match="cpe_product"):
        read_aliases("kind,pattern,cpe_vendor\ndisplay,Foo,foo\n")


def test_software_id_defaults_for_the_matcher():
    found = norm("Google Chrome", "120.0")
    assert isinstance(found, SoftwareId) and found.update == "" and found.distro == ""


# --------------------------------------------------------------------------- real data

# Names of the table that the shared data never mentions, checked against NVD by hand.
CHECKED_ELSEWHERE = {
    ("7-zip", "7-zip"),
    ("anydesk", "anydesk"),
    ("apachefriends", "xampp"),
    ("beasts", "vsftpd"),
    ("filezilla-project", "filezilla_client"),
    ("filezilla-project", "filezilla_server"),
    ("fortinet", "forticlient"),
    ("foxit", "pdf_reader"),
    ("foxit", "reader"),
    ("foxitsoftware", "foxit_reader"),
    ("microsoft", "365_apps"),
    ("microsoft", "internet_information_services"),
    ("microsoft", "windows_10_2004"),
    ("microsoft", "windows_11"),
    ("microsoft", "windows_server_2025"),
    ("microsoft", "word"),
    ("notepad-plus-plus", "notepad++"),
    ("phpmyadmin", "phpmyadmin"),
    ("proftpd", "proftpd"),
    ("samba", "samba"),
    ("sudo_project", "sudo"),
    ("teamviewer", "teamviewer"),
    ("todd_miller", "sudo"),
    ("ultraviewer", "ultraviewer"),
    ("videolan", "vlc_media_player"),
    ("zoom", "meetings"),
    ("zoom", "workplace"),
    ("canonical", "ubuntu_linux"),
    ("centos", "centos"),
}


def test_table_uses_the_names_nvd_uses(shared_data):
    seen: set[tuple[str, str]] = set()
    for record in iter_records(
        [
            shared_data / "cve_records" / "cve_records_v5.jsonl.gz",
            shared_data / "nvd_cpe_configurations",
        ]
    ):
        for conf in record.configurations:
            for node in conf.nodes:
                for match in node.matches:
                    cpe = parse_cpe(match.criteria)
                    seen.add((cpe.vendor, cpe.product))
    names = set()
    for row in ROWS:
        rule = AliasTable([row])
        product = row.cpe_product
        if "{" in product:
            continue  # the Windows releases: checked by the OS cases
        names.add((rule.rows[0].cpe_vendor.lower(), parse_cpe(f"cpe:2.3:a:x:{product}").product))
        for pair in row.also.split():
            vendor, _, other = pair.partition(":")
            names.add((vendor, parse_cpe(f"cpe:2.3:a:x:{other}").product))
    assert names - seen == CHECKED_ELSEWHERE - seen
    assert not (CHECKED_ELSEWHERE - names)
    windows = {p for v, p in seen if v == "microsoft" and p.startswith("windows_1")}
    assert {c[1] for c in OS_CASES if c[1].startswith("windows_1")} - windows <= {
        "windows_10_2004",
        "windows_11",
    }
