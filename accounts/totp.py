import qrcode
import qrcode.image.svg


def qr_code_svg(data):
    """An inline SVG QR code for the enrolment of an authenticator app."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")
