"""Who holds the seal's key: a key file of the workspace, or a hardware token through PKCS#11.

Both give pyHanko a `Signer`; `sign_pdf` does not care which. A national SM2 seal (GB/T 38540) would be a third
implementation of `SealSigner` (see docs/seals.md), not built here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from zhizhi.errors import ConfigError
from zhizhi.seals.authority import ROOT_CERT, Authority, load_certificate
from zhizhi.seals.certificates import active_seal
from zhizhi.seals.image import seal_image_pdf

PKCS11_SUFFIX = ".pkcs11.yaml"


class SealSigner(Protocol):
    """Anything that can seal: names the department and gives pyHanko a signer holding its key."""

    @property
    def department_name(self) -> str:
        """The department's name as it appears on the seal."""
        ...

    def pyhanko_signer(self) -> signers.Signer:
        """A pyHanko signer whose certificate is the seal's; may open a session on a token."""
        ...

    def seal_image(self) -> Path | None:
        """The one-page PDF drawn as the visible seal, or None for an invisible signature."""
        ...


@dataclass(frozen=True)
class FileSigner:
    """The seal key kept, encrypted, in the workspace's keys folder."""

    keys_dir: Path
    serial: str
    department_name: str

    def pyhanko_signer(self) -> signers.Signer:
        authority = Authority.of(self.keys_dir)
        base = authority.issued_dir / self.serial
        root = load_certificate(authority.folder / ROOT_CERT)
        return signers.SimpleSigner(
            signing_cert=load_certificate(base.with_suffix(".pem")),
            signing_key=authority.pyhanko_key(base.with_suffix(".key.pem")),
            cert_registry=SimpleCertificateStore.from_certs([root]),  # type: ignore[no-untyped-call]
        )

    def seal_image(self) -> Path | None:
        """The seal's picture, drawn again from the department's name when it is missing (a keys folder restored
        without it): it is drawn, never scanned, so the same name draws the same seal."""
        path = Authority.of(self.keys_dir).issued_dir / f"{self.serial}.seal.pdf"
        if not path.exists():
            path.write_bytes(seal_image_pdf(self.department_name))
        return path


@dataclass(frozen=True)
class Pkcs11Config:
    """Where a department's seal key lives on a hardware token, from `data/keys/seals/DEPT.pkcs11.yaml`."""

    module: str
    token_label: str
    key_label: str
    cert_label: str
    pin_env: str
    department_name: str

    @classmethod
    def parse(cls, raw: Any, source: str) -> Pkcs11Config:
        """Validate a mapping of settings, naming every problem at once."""
        if not isinstance(raw, dict):
            raise ConfigError(
                f"`{source}` must be a mapping of keys to values (`module:`, `token_label:`, `key_label:` ...); it "
                f"holds {type(raw).__name__}. Fix the file as docs/seals.md shows.",
                zh=f"`{source}` 应为键值映射（`module:`、`token_label:`、`key_label:` 等），实为 {type(raw).__name__}。"
                "请按 docs/seals.md 的示例修改该文件。",
            )
        required = [key for key in ("module", "token_label", "key_label") if not raw.get(key)]
        unknown = sorted(set(raw) - {"module", "token_label", "key_label", "cert_label", "pin_env", "department_name"})
        not_text = [str(k) for k, v in raw.items() if v is not None and not isinstance(v, str)]
        problems = [f"`{key}` is required" for key in required] + [f"`{key}` is not a setting" for key in unknown]
        problems += [f"`{key}` must be text" for key in not_text]
        if problems:
            zh = [f"缺少 `{key}`" for key in required] + [f"`{key}` 不是可用的设置项" for key in unknown]
            zh += [f"`{key}` 应为文本" for key in not_text]
            raise ConfigError(
                f"`{source}`: " + "; ".join(problems) + ". Fix the file as docs/seals.md shows.",
                zh=f"`{source}`：" + "；".join(zh) + "。请按 docs/seals.md 的示例修改该文件。",
                details=problems,
            )
        return cls(
            module=raw["module"],
            token_label=raw["token_label"],
            key_label=raw["key_label"],
            cert_label=raw.get("cert_label") or raw["key_label"],
            pin_env=raw.get("pin_env") or "ZHIZHI_SEAL_PIN",
            department_name=raw.get("department_name") or "",
        )


@dataclass(frozen=True)
class Pkcs11Signer:
    """A seal key on a token (USBKey, HSM) reached through its PKCS#11 module; the PIN comes from the environment."""

    config: Pkcs11Config
    image: Path | None = None

    @property
    def department_name(self) -> str:
        return self.config.department_name

    def pyhanko_signer(self) -> signers.Signer:
        pin = os.environ.get(self.config.pin_env)
        if not pin:
            raise ConfigError(
                f"The PIN of token `{self.config.token_label}` is not set: put it in the environment variable "
                f"`{self.config.pin_env}` of the process that seals, then seal again.",
                zh=f"未设置令牌 `{self.config.token_label}` 的 PIN：请在盖章进程的环境变量 `{self.config.pin_env}` "
                "中设置后重新盖章。",
            )
        try:
            from pyhanko.sign import pkcs11
        except ImportError as exc:  # python-pkcs11 is optional: only a machine with a token needs it
            raise ConfigError(
                f"Sealing with token `{self.config.token_label}` (PKCS#11) needs python-pkcs11, which is not "
                "installed: `pip install python-pkcs11` on the machine that holds the token.",
                zh=f"使用令牌 `{self.config.token_label}`（PKCS#11）盖章需要 python-pkcs11，但尚未安装：请在插有令牌的"
                "机器上运行 `pip install python-pkcs11`。",
            ) from exc
        from pyhanko.config.pkcs11 import TokenCriteria

        criteria = TokenCriteria(label=self.config.token_label)
        session = pkcs11.open_pkcs11_session(self.config.module, token_criteria=criteria, user_pin=pin)
        return pkcs11.PKCS11Signer(session, key_label=self.config.key_label, cert_label=self.config.cert_label)

    def seal_image(self) -> Path | None:
        return self.image


def signer_for(keys_dir: Path, department_code: str) -> SealSigner:
    """The department's signer: its token when `DEPT.pkcs11.yaml` exists, else its active seal certificate."""
    authority = Authority.of(keys_dir)
    token_file = authority.folder / f"{department_code}{PKCS11_SUFFIX}"
    if token_file.exists():
        try:
            raw = yaml.safe_load(token_file.read_text("utf-8"))
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line, line_zh = (f" line {where.line + 1}", f" 第 {where.line + 1} 行") if where else ("", "")
            raise ConfigError(
                f"`{token_file.name}`{line} is not valid YAML ({getattr(exc, 'problem', None) or exc}). Fix the file "
                "as docs/seals.md shows, or remove it to seal with the key file.",
                zh=f"`{token_file.name}`{line_zh} 不是有效的 YAML。请按 docs/seals.md 的示例修改该文件，"
                "或删除它以改用密钥文件盖章。",
            ) from exc
        return Pkcs11Signer(Pkcs11Config.parse(raw, token_file.name))
    record = active_seal(keys_dir, department_code)
    return FileSigner(keys_dir, record.serial, record.department_name)
